"""All defaults in one place.

`Settings` is immutable; `Settings.from_env()` reads `STRIKES_*` environment variables so a
deployment can change a default without code (e.g. STRIKES_READ_ONLY=1).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from strikes.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class Settings:
    # Where things live.
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    data_dir: Path = PROJECT_ROOT / "data"
    db_path: Path = PROJECT_ROOT / "data" / "strikes.duckdb"
    cache_dir: Path = field(
        default_factory=lambda: (
            Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "strike-tracker"
        )
    )

    # Store: how long a writer waits for another ingest to finish before giving up (StoreBusy).
    store_lock_timeout_s: float = 60.0

    # Ingestion limits.  One byte limit per document everywhere: 5 MB as the browser counts
    # them (Streamlit's upload widget takes whole MB of 1,000,000 bytes; .streamlit/config.toml
    # maxUploadSize says the same), for uploads, pasted text, fetched pages and CLI files.
    max_file_bytes: int = 5_000_000
    max_upload_files: int = 20  # files per submission on the dashboard's upload form
    max_submission_bytes: int = 25_000_000  # all files of one dashboard submission together
    # Claims kept per article: a real report has a few dozen; a file of one strike sentence
    # repeated thousands of times is not a report (the cut is reported).
    max_claims_per_article: int = 500
    # The dashboard's ingest runs in a worker process with this much address space (MB) and
    # this much time, so a submission that needs more fails alone and the server keeps serving.
    ingest_memory_mb: int = 4096
    ingest_timeout_s: float = 600.0
    allowed_suffixes: tuple[str, ...] = (".txt", ".md", ".html", ".htm")
    # How far into a plain-text document an inline "date 2025-07-01" still counts as its dateline.
    inline_date_window: int = 400
    # Shape limits per document (hostile input): no article has this many lines or HTML
    # elements, and cleaning such a file would cost tens of seconds and a gigabyte of memory.
    max_lines: int = 100_000
    max_html_elements: int = 50_000

    # Official nightly tallies (strikes.official): the largest file an import reads (the
    # published missile_attacks_daily.csv is a few MB).
    max_official_file_bytes: int = 50 * 1024 * 1024

    # Near-duplicate detection (MinHash over word shingles, LSH banding).
    shingle_words: int = 5
    minhash_perm: int = 64
    near_dup_threshold: float = 0.5

    # The collector's first threshold while a batch runs (strikes.speed.gcpause; CPython: 700).
    batch_gc_threshold: int = 1_000_000

    # Extraction.
    max_plausible_count: int = 20_000  # more weapons than this in one report is not a fact
    max_plausible_casualties: int = 10_000

    # Geocoding.
    fuzzy_threshold: float = 90.0
    online_geocoding: bool = False  # Nominatim for places the gazetteer lacks (strikes.geo.online)
    nominatim_user_agent: str = "strike-tracker"
    nominatim_min_delay_s: float = 1.0
    # A self-hosted Nominatim: its host[:port] and scheme (strikes.geo.online).
    nominatim_domain: str = "nominatim.openstreetmap.org"
    nominatim_scheme: str = "https"

    # App.
    read_only: bool = False
    # Sign-in (Streamlit's OIDC login, configured in .streamlit/secrets.toml [auth]): when on,
    # nothing is shown before sign-in.  `allowed_users` restricts who may use the dashboard:
    # e-mail addresses and "@domain" entries (comma-separated in STRIKES_ALLOWED_USERS); empty
    # means any account the identity provider accepts.
    require_login: bool = False
    allowed_users: tuple[str, ...] = ()
    # Who may delete articles on the dashboard when sign-in is on (addresses and "@domain"
    # entries, like allowed_users); without sign-in whoever may add articles may delete them.
    operators: tuple[str, ...] = ()
    # Fetching a web page by URL on the Add articles page: "on", "off", or "auto" (on behind
    # sign-in and for a visitor on this machine; off for anyone else, and in read-only mode).
    url_fetch: str = "auto"
    fetch_timeout_s: float = 20.0  # the whole fetch, redirects included
    # The sidebar's search box: characters accepted, distinct words used.
    max_search_chars: int = 200
    max_search_words: int = 12

    def __post_init__(self) -> None:
        if self.url_fetch not in ("on", "off", "auto"):
            raise ConfigError(f"STRIKES_URL_FETCH={self.url_fetch!r}: use on, off or auto")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then STRIKES_<FIELD> environment variables, then explicit overrides."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"STRIKES_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _coerce(f.name, raw, f.type)
        values.update(overrides)
        return cls(**values)


def _coerce(name: str, raw: str, type_name: object) -> object:
    t = str(type_name)
    try:
        if t == "bool":
            low = raw.strip().lower()
            if low in {"1", "true", "yes", "on"}:
                return True
            if low in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if t == "int":
            return int(raw)
        if t == "float":
            return float(raw)
        if t == "Path":
            return Path(raw)
        if t.startswith("tuple"):
            return tuple(s.strip() for s in raw.split(",") if s.strip())
        return raw
    except ValueError as exc:
        raise ConfigError(f"STRIKES_{name.upper()}={raw!r} is not a valid {t}") from exc


DEFAULT_SETTINGS = Settings()

"""A reproducible synthetic corpus for benchmarks and scale tests.

`make_documents(n, seed=...)` writes nothing: it returns `RawDocument`s of wire-style articles
recombined from the sentence templates below (our own wording), real place names of the
gazetteer, dates, claimants and boilerplate (share rows, "Advertisement", related-article
blocks, copyright lines).  The same seed always gives the same bytes.

What the mix exercises:
- several articles report the same night (a small pool of nights per month), so claims merge
  across sources and sometimes disagree (conflicts);
- about one article in ten is a syndicated copy of an earlier one (other outlet furniture,
  sometimes undated), so near-duplicate grouping and date inheritance run;
- roughly half of the sentences are context (diplomacy, economy, quotes, running totals), as in
  real copy, so the per-sentence prefilter matters.

`make_events(m, seed=...)` builds an events frame (schema.EVENTS) of `m` plausible events for
the dashboard benchmarks (filters, timelines, map payload) without running the pipeline.
`write_corpus(folder, n)` writes the documents as .txt files with a manifest.csv.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from strikes.documents.articles import RawDocument

__all__ = ["make_documents", "make_events", "write_corpus"]

# --------------------------------------------------------------------------------------------
# Vocabulary (real places the gazetteer resolves; everything else is our own wording)

UA_CITIES = (
    "Kyiv", "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Lviv", "Sumy", "Mykolaiv", "Kherson",
    "Poltava", "Chernihiv", "Kryvyi Rih", "Ternopil", "Lutsk", "Rivne", "Khmelnytskyi",
    "Vinnytsia", "Zhytomyr", "Cherkasy", "Kropyvnytskyi", "Ivano-Frankivsk", "Kramatorsk",
    "Sloviansk", "Pokrovsk", "Kostyantynivka", "Nikopol", "Izium", "Bila Tserkva", "Kupiansk",
    "Okhtyrka", "Konotop", "Shostka", "Izmail", "Chuhuiv", "Pavlohrad", "Kremenchuk", "Brovary",
)  # fmt: skip
UA_REGIONS = (
    "Kharkiv", "Sumy", "Odesa", "Dnipropetrovsk", "Zaporizhzhia", "Kherson", "Mykolaiv",
    "Chernihiv", "Donetsk", "Poltava",
)  # fmt: skip
RU_CITIES = (
    "Belgorod", "Kursk", "Bryansk", "Voronezh", "Rostov-on-Don", "Krasnodar", "Novorossiysk",
    "Tuapse", "Saratov", "Engels", "Tambov", "Lipetsk", "Oryol", "Smolensk", "Tula", "Kaluga",
    "Ryazan", "Yaroslavl", "Izhevsk", "Kazan", "Volgograd", "Taganrog", "Shebekino", "Yelets",
    "Cheboksary", "Syzran",
)  # fmt: skip
RU_REGIONS = (
    "Belgorod", "Kursk", "Bryansk", "Rostov", "Krasnodar", "Voronezh", "Oryol", "Tula", "Saratov",
)  # fmt: skip
OUTLETS = (
    "Northern Wire", "Eastern Dispatch", "Daily Ledger", "The Frontline Post", "Morning Courier",
    "Continental News Service", "Harbour Times", "Plains Gazette",
)  # fmt: skip
FOREIGN_CITIES = ("Geneva", "Istanbul", "Rome", "Warsaw", "Brussels", "Vienna", "Helsinki")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
SMALL = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "11", "12",
)  # fmt: skip
UA_OFFICIALS = (
    "regional governor Oleksandr Marchenko",
    "the head of the regional military administration, Ihor Sydorenko",
    "Mayor Andrii Koval",
    "local officials",
    "the State Emergency Service",
    "the regional prosecutor's office",
)
RU_OFFICIALS = (
    "regional Governor Pavel Orlov",
    "acting Governor Sergei Volkov",
    "the local emergency ministry",
    "regional authorities",
)
TARGETS = (
    "an oil depot", "a power substation", "a railway junction", "a fuel terminal",
    "an ammunition warehouse", "a chemical plant", "an airfield", "a grain terminal",
)  # fmt: skip
DAMAGE = (
    "apartment blocks", "a school", "private houses", "a kindergarten", "a shopping centre",
    "several cars", "a warehouse", "power lines",
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Sentence templates.  {X} slots are filled per story; all wording here is original.

TALLY_RU = (
    "Russia launched {n} drones and {m} missiles at Ukraine overnight, the Ukrainian air force "
    "said on {wd}, adding that {k} drones had been shot down or jammed.",
    "Ukraine's air force said Russia attacked overnight with {n} Shahed drones and {m} cruise "
    "missiles, and that air defences downed {k} of the drones.",
    "In total, Russia fired {n} drones and {m} missiles across Ukraine overnight, according "
    "to the country's air force.",
)
TALLY_UA = (
    "Russia's Defence Ministry said its air defence units destroyed {k} Ukrainian drones over "
    "Russian regions overnight, including {a} over the {region} region.",
    "Russian air defences shot down {k} Ukrainian drones overnight, the Defence Ministry in "
    "Moscow said on {wd}.",
)
CITY_RU = (
    "A Russian drone attack on {city} overnight killed {kd} people and injured {inj} others, "
    "{official} said.",
    "Russian missiles struck {city} early on {wd}, injuring {inj} residents and damaging "
    "{damage}, according to {official}.",
    "Russian forces shelled {city} on {wd}, wounding {inj} civilians, {official} reported.",
    "A Russian glide bomb hit {city} on {wd}, killing {kd} people, {official} said.",
    "Drones launched by Russia hit {city} overnight, damaging {damage}; {inj} people were "
    "injured, {official} said.",
)
CITY_UA = (
    "Ukrainian drones struck {target} in {city} overnight, {official} said on {wd}.",
    "A Ukrainian drone attack on {city} injured {inj} people and set {target} on fire, "
    "{official} said.",
    "Ukrainian shelling killed {kd} civilians in {city} on {wd}, according to {official}.",
)
FOLLOWUP = (
    "The attack damaged {damage} and {damage2}.",
    "Rescuers were still searching the rubble on {wd} afternoon.",
    "It was the third strike on the city this month.",
    "Emergency crews put out the fires by the morning.",
    "The strike also cut power to several districts.",
)
CONTEXT = (
    "Delegations from both sides are expected to meet in {foreign} {when}.",
    "The talks in {foreign} have produced little beyond an exchange of {num} prisoners so far.",
    "{capital} has asked its partners to speed up deliveries of air defence systems before "
    "{season}.",
    "Officials in {foreign} said the {nth} sanctions package would be discussed {when}.",
    "Energy prices in the {area} rose by {pct} percent over the past year, {org} said.",
    "The government approved a {num} million budget for reconstruction in {city2} on {wd}.",
    "{analyst}, an analyst at {org}, said both armies now depend heavily on cheap unmanned "
    "aircraft.",
    "Since the start of the full-scale invasion, Russia has fired thousands of drones at "
    "Ukrainian cities, {org} estimates.",
    "The president thanked {foreign} for its support in his address on {wd} evening.",
    "Farmers in the {area} say the harvest will be {pct} percent smaller than last year.",
    "'We will rebuild everything,' {person} told reporters in {city2}.",
    "Schools in {city2} switched to remote learning until {month} {day}.",
    "Parliament is due to vote on the mobilisation bill on {wd} after a debate that has split "
    "the ruling party, {person} said.",
    "The central bank kept its key rate at {pct} percent, citing inflation risks and the cost "
    "of repairing the grid.",
    "European ministers will gather in {foreign} {when} to discuss long-term financing for "
    "the country's recovery.",
    "Residents of {city2} queued for water and bread as {num} shops reopened one by one.",
    "The foreign minister said in {foreign} that the country needed more than promises from "
    "its allies.",
    "Railway operators warned of delays of up to {hours} hours on routes through {city2}.",
    "Volunteers have set up {num} heating points in schools and libraries across {city2}.",
    "A poll by {org} suggests {pct} percent of people oppose any deal that cedes territory.",
    "The United Nations mission said it was verifying reports of civilian harm in {city2}.",
    "Grain exports through the {area} ports reached {num} thousand tonnes in {month}, traders say.",
    "Officials said the repairs to the heating network in {city2} would take {hours} days.",
    "The Kremlin declined to comment when asked about the reports on {wd}.",
    "A spokesperson for the mission in {foreign} said observers would visit {city2} {when}.",
    "Insurance companies have stopped covering {num} properties near the border, {org} said.",
    "Teachers in {city2} say children have grown used to spending nights in shelters.",
    "The defence minister toured {num} factories that assemble long-range systems on {wd}.",
    "Businesses in {city2} have moved {num} production lines underground to keep working.",
    "Negotiators in {foreign} exchanged draft documents on {wd} but reported no breakthrough.",
    "{person} said the city would need {num} million euros to repair its water network.",
    "Exports of steel from the {area} fell by {pct} percent in {month}, according to {org}.",
)
CONTEXT_SLOTS = {
    "when": ("next week", "later this month", "in the spring", "before the summit", "soon"),
    "capital": ("Kyiv", "The government", "The foreign ministry", "The presidential office"),
    "season": ("winter", "the autumn", "the end of the year", "the heating season"),
    "nth": ("17th", "18th", "19th", "20th", "new", "next"),
    "area": ("south", "east", "north", "west", "Black Sea", "Danube", "central region"),
    "org": (
        "the Institute for Regional Studies", "Centre for Eastern Policy", "Baltic Economics",
        "the Kyiv School of Statistics", "Harbour Analytics", "the Open Data Lab",
        "Meridian Research", "the Council on Security Affairs",
    ),
    "analyst": (
        "Marta Kovalenko", "Jonas Berg", "Elena Petrenko", "Tomas Novak", "Ingrid Dahl",
        "Pavlo Hrytsenko", "Claire Dubois", "Mikko Laine",
    ),
    "person": (
        "Mayor Olena Hrytsai", "Deputy Mayor Taras Bilyk", "Svitlana Moroz",
        "minister Dmytro Savchuk", "Serhii Lytvyn", "the regional council chair",
    ),
}  # fmt: skip
HEADLINES = (
    "Russia pounds {city} with drones as talks stall",
    "Overnight barrage leaves {city} without power",
    "Drone strikes hit {city} for a second night",
    "{city} counts damage after night of explosions",
    "Air defences busy as drones fly over {city}",
)
BOILER_TOP = ("Share this article", "Facebook Twitter WhatsApp Email", "Listen to this article")
BOILER_MID = ("Advertisement", "ADVERTISEMENT", "Read more:")
RELATED = (
    "Markets edge higher ahead of central bank decision",
    "Heatwave grips southern Europe",
    "Football: late goal settles the derby",
    "New rail link opens between two capitals",
    "Scientists map the deepest cave system yet",
)


@dataclass
class _Night:
    date: _dt.date
    attacker: str
    n: int
    m: int
    k: int
    city: str
    region: str
    kd: int
    inj: int
    target: str


def _nights(rng: random.Random, n_articles: int, start: _dt.date, days: int) -> list[_Night]:
    """The pool of attacks the articles report (several articles per night)."""
    out = []
    for _ in range(max(4, n_articles // 3)):
        d = start + _dt.timedelta(days=rng.randrange(days))
        ru = rng.random() < 0.7
        n = rng.randrange(20, 600)
        out.append(
            _Night(
                date=d,
                attacker="Russia" if ru else "Ukraine",
                n=n,
                m=rng.randrange(1, 40),
                k=max(1, n - rng.randrange(0, max(2, n // 3))),
                city=rng.choice(UA_CITIES if ru else RU_CITIES),
                region=rng.choice(RU_REGIONS),
                kd=rng.randrange(1, 9),
                inj=rng.randrange(1, 30),
                target=rng.choice(TARGETS),
            )
        )
    return out


def _num(rng: random.Random, v: int) -> str:
    return SMALL[v - 1] if 1 <= v <= len(SMALL) and rng.random() < 0.6 else str(v)


def _fill(rng: random.Random, tpl: str, night: _Night, published: _dt.date) -> str:
    ru = night.attacker == "Russia"
    wd = WEEKDAYS[published.weekday()]
    vals = {
        "n": str(night.n),
        "m": str(night.m),
        "k": str(night.k),
        "a": str(max(1, night.k // 3)),
        "region": night.region,
        "city": night.city,
        "kd": _num(rng, night.kd),
        "inj": _num(rng, night.inj),
        "official": rng.choice(UA_OFFICIALS if ru else RU_OFFICIALS),
        "damage": rng.choice(DAMAGE),
        "damage2": rng.choice(DAMAGE),
        "target": night.target,
        "wd": wd,
        "foreign": rng.choice(FOREIGN_CITIES),
        "city2": rng.choice(UA_CITIES),
        "num": str(rng.randrange(2, 950)),
        "pct": str(rng.randrange(2, 60)),
        "hours": str(rng.randrange(2, 30)),
        "month": rng.choice(MONTHS),
        "day": str(rng.randrange(1, 29)),
    }
    for slot, choices in CONTEXT_SLOTS.items():
        vals[slot] = rng.choice(choices)
    return tpl.format(**vals)


def _article(rng: random.Random, nights: list[_Night], i: int) -> tuple[str, str, str, str]:
    """(headline, body paragraphs, outlet, published) of one original article."""
    main = rng.choice(nights)
    # Published the morning after the night (overnight attacks take the morning's date).
    published = main.date
    ru = main.attacker == "Russia"
    same_day = [x for x in nights if x.date == main.date and x is not main][:2]
    paras: list[str] = []
    lede = rng.choice(TALLY_RU if ru else TALLY_UA)
    paras.append(_fill(rng, lede, main, published))
    city_tpl = rng.choice(CITY_RU if ru else CITY_UA)
    body = [_fill(rng, city_tpl, main, published)]
    if rng.random() < 0.6:
        body.append(_fill(rng, rng.choice(FOLLOWUP), main, published))
    for other in same_day:
        tpl = rng.choice(CITY_RU if other.attacker == "Russia" else CITY_UA)
        body.append(_fill(rng, tpl, other, published))
    ctx = [_fill(rng, t, main, published) for t in rng.sample(CONTEXT, rng.randrange(10, 19))]
    sentences = body + ctx
    rng.shuffle(sentences)
    # Two to three sentences per paragraph, like wire copy.
    while sentences:
        take = rng.randrange(1, 4)
        paras.append(" ".join(sentences[:take]))
        sentences = sentences[take:]
    headline = rng.choice(HEADLINES).format(city=main.city)
    return headline, "\n\n".join(paras), rng.choice(OUTLETS), published.isoformat()


def _furniture(rng: random.Random, outlet: str, published: _dt.date) -> tuple[str, str]:
    top = rng.choice(BOILER_TOP)
    related = rng.sample(RELATED, 3)
    bottom = "\n".join(
        [
            "Related Articles",
            "",
            *[f"{r}\n" for r in related],
            f"© {published.year} {outlet}. All rights reserved.",
        ]
    )
    return top, bottom


def _compose(
    rng: random.Random,
    headline: str,
    body: str,
    outlet: str,
    published: str,
    *,
    dateline: bool,
) -> str:
    top, bottom = _furniture(rng, outlet, _dt.date.fromisoformat(published))
    paras = body.split("\n\n")
    if len(paras) > 3 and rng.random() < 0.5:
        paras.insert(rng.randrange(2, len(paras)), rng.choice(BOILER_MID))
    head = f"date {published} {top}\n\n" if dateline else f"{top}\n\n"
    return f"{head}{headline}\n\n" + "\n\n".join(paras) + f"\n\n{bottom}\n"


def make_documents(
    n: int,
    *,
    seed: int = 7,
    start: str = "2023-01-01",
    days: int = 1095,
    dup_rate: float = 0.1,
) -> list[RawDocument]:
    """`n` reproducible wire-style articles (see the module docstring)."""
    rng = random.Random(seed)
    nights = _nights(rng, n, _dt.date.fromisoformat(start), days)
    # Nights reported together: group by date so same-night stories appear in one article.
    nights.sort(key=lambda x: (x.date, x.attacker, x.city))
    docs: list[RawDocument] = []
    originals: list[tuple[str, str, str, str]] = []
    width = max(5, len(str(n)))
    for i in range(n):
        if originals and rng.random() < dup_rate:
            headline, body, outlet, published = rng.choice(originals)
            outlet2 = rng.choice([o for o in OUTLETS if o != outlet])
            # A syndicated copy: another headline, a sentence of its own, other furniture.
            headline = f"{rng.choice(('UPDATE', 'LIVE', 'ANALYSIS'))}: {headline}"
            extra = _fill(rng, rng.choice(CONTEXT), nights[0], _dt.date.fromisoformat(published))
            body = f"{body}\n\n{extra}"
            dated = rng.random() < 0.5
            text = _compose(rng, headline, body, outlet2, published, dateline=dated)
            docs.append(
                RawDocument(name=f"a{i:0{width}d}.txt", data=text.encode("utf-8"), outlet=outlet2)
            )
            continue
        headline, body, outlet, published = _article(rng, nights, i)
        originals.append((headline, body, outlet, published))
        inline = rng.random() < 0.5
        text = _compose(rng, headline, body, outlet, published, dateline=inline)
        docs.append(
            RawDocument(
                name=f"a{i:0{width}d}.txt",
                data=text.encode("utf-8"),
                published=None if inline else published,
                outlet=outlet,
            )
        )
    return docs


def write_corpus(folder: str | Path, docs: Sequence[RawDocument]) -> Path:
    """Write documents as files with a manifest.csv (published, outlet) beside them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "published", "outlet", "url"])
        for d in docs:
            (folder / d.name).write_bytes(d.data)
            if d.published or d.outlet:
                w.writerow([d.name, d.published or "", d.outlet or "", d.url or ""])
    return folder


# --------------------------------------------------------------------------------------------
# An events table for the dashboard benchmarks

_EVENT_SENTENCES = (
    "Russia launched {n} drones at Ukraine overnight, the air force said.",
    "A drone attack on {loc} injured {i} people, officials said.",
    "Air defences destroyed {n} drones over the {loc} area, the ministry said.",
    "Missiles struck {loc} early in the morning, damaging homes.",
)


def make_events(m: int, *, seed: int = 7, start: str = "2022-03-01", days: int = 1400):
    """A frame with the columns and dtypes of schema.EVENTS: `m` plausible events."""
    from strikes.geo.gazetteer import Gazetteer
    from strikes.schema import EVENTS, conform

    rs = np.random.default_rng(seed)
    gaz = Gazetteer.load()
    places = []
    for name in UA_CITIES + RU_CITIES:
        c = gaz.lookup(name)
        if c:
            places.append(c[0])
    for name in UA_REGIONS + RU_REGIONS:
        r = gaz.region(name)
        if r is not None:
            places.append(r)
    for cc in ("UA", "RU"):
        c = gaz.country(cc)
        if c is not None:
            places.append(c)
    pidx = rs.integers(0, len(places), m)
    # Country-level tallies are ~10% of events; make them so regardless of the pool's mix.
    country_idx = [i for i, p in enumerate(places) if p.geo_precision == "country"]
    tally = rs.random(m) < 0.1
    pidx[tally] = rs.choice(country_idx, int(tally.sum()))
    base = np.datetime64(start)
    day = rs.integers(0, days, m)
    dates = np.datetime_as_string(base + day.astype("timedelta64[D]"), unit="D")
    month_total = rs.random(m) < 0.01
    weapon_sets = (["drone"], ["missile"], ["drone", "missile"], ["glide_bomb"], ["artillery"], [])
    wsel = rs.integers(0, len(weapon_sets), m)
    launched = rs.integers(1, 700, m)
    has_launched = rs.random(m) < 0.5
    intercepted = (launched * rs.random(m)).astype(np.int64)
    has_inter = has_launched & (rs.random(m) < 0.7)
    killed = rs.integers(0, 12, m)
    has_killed = rs.random(m) < 0.3
    injured = rs.integers(0, 40, m)
    has_injured = rs.random(m) < 0.4
    n_src = rs.integers(1, 4, m)
    rows = []
    for j in range(m):
        p = places[pidx[j]]
        ru = p.country_code == "UA"
        attacker = "Russia" if ru else "Ukraine"
        date = dates[j]
        prec = "day"
        kind = "total" if p.geo_precision == "country" else "strike"
        if month_total[j] and p.geo_precision == "country":
            date = date[:8] + "01"
            prec = "month"
        key = f"{attacker}|{date}|{prec}|{p.geonameid}|{kind}|{j}"
        eid = hashlib.sha1(key.encode()).hexdigest()[:16]
        sources = []
        for s in range(int(n_src[j])):
            tpl = _EVENT_SENTENCES[(j + s) % len(_EVENT_SENTENCES)]
            sent = tpl.format(n=int(launched[j]), i=int(injured[j]), loc=p.name)
            aid = hashlib.sha1(f"{j}-{s}".encode()).hexdigest()[:16]
            sources.append(
                {
                    "article": aid,
                    "sentence": sent,
                    "start": 0,
                    "end": len(sent),
                    "claim_id": f"{aid}-0000-00",
                    "rule": "strike:single-place",
                }
            )
        rows.append(
            {
                "event_id": eid,
                "date": date,
                "date_precision": prec,
                "attacker": attacker,
                "location": p.name,
                "admin1": p.admin1,
                "country_code": p.country_code,
                "lat": p.lat,
                "lon": p.lon,
                "geo_precision": p.geo_precision,
                "geo_radius_km": p.radius_km,
                "geonameid": p.geonameid,
                "weapons": list(weapon_sets[wsel[j]]),
                "weapon_models": ["Shahed"] if "drone" in weapon_sets[wsel[j]] else [],
                "launched": int(launched[j]) if has_launched[j] else None,
                "intercepted": int(intercepted[j]) if has_inter[j] else None,
                "hit": None,
                "killed": int(killed[j]) if has_killed[j] else None,
                "injured": int(injured[j]) if has_injured[j] else None,
                "kind": kind,
                "target": None,
                "claimed_by": ["air force"] if kind == "total" else ["regional governor"],
                "sources": sources,
                "conflicts": {},
                "vague": {},
                "n_sources": len(sources),
                "n_articles": len(sources),
            }
        )
    return conform(pd.DataFrame.from_records(rows, columns=list(EVENTS)), EVENTS)

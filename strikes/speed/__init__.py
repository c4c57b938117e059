"""Speed devices, each kept because the bench (`python -m bench`) shows it matters.

- `fastmatch`: big alternations run only where an Aho-Corasick pass found their literals
  (same matches as the plain regex); `re` has no literal-prefix scan for them.
- `re_parse`: the one door to CPython's private regex parser, which `fastmatch` reads.
- `frozen.fast_init`: frozen slotted dataclasses built in the hot loops store their fields
  through slot descriptors, not `object.__setattr__`.
- `gcpause.batch_gc`: fewer garbage-collector passes over the many long-lived small objects of
  a batch.
- `arrays.unique_ints`: a sort-based unique, faster than numpy 2's hash-based `np.unique` on
  the dashboard's integer codes.

What each gains is measured in docs/performance.md.
"""

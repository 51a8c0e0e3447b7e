"""Pattern extraction over experience records: pure functions, no I/O, so they test in isolation."""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

# Words too common to say anything about an experience.
STOPWORDS = frozenset("""
a an the and or but if then else when while of to in on at by for with from into onto over under
is are was were be been being it its this that these those there here we you they he she i me my our
your their them us not no yes so as do does did done have has had can could should would will just
than too very also after before again more most some any all each every about out up down off
""".split())


def terms(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z0-9_-]{2,}", text.lower()) if w not in STOPWORDS]


def compute_patterns(items: Iterable[dict], top: int = 10) -> dict:
    """Most frequent tags and terms, outcome counts, and per-tag success rate.

    A tag's success rate is only reported from 2 records up: one record is an anecdote.
    """
    items = list(items)
    tag_counts: Counter[str] = Counter()
    term_counts: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    tag_success: dict[str, list[int]] = {}
    for item in items:
        tags = sorted(set(item.get("tags") or []))
        tag_counts.update(tags)
        # a term counts once per record so one long record cannot dominate
        term_counts.update(set(terms(f"{item.get('title', '')} {item.get('content', '')}")))
        outcome = str((item.get("metadata") or {}).get("outcome") or "unknown")
        outcomes[outcome] += 1
        for tag in tags:
            seen = tag_success.setdefault(tag, [0, 0])
            seen[1] += 1
            if outcome == "success":
                seen[0] += 1
    rates = [
        {"tag": tag, "success_rate": round(ok / n, 3), "samples": n}
        for tag, (ok, n) in tag_success.items() if n >= 2
    ]
    rates.sort(key=lambda r: (-r["samples"], r["tag"]))
    return {
        "experiences": len(items),
        "top_tags": [{"tag": t, "count": c} for t, c in sorted(tag_counts.items(), key=lambda x: (-x[1], x[0]))[:top]],
        "top_terms": [{"term": t, "count": c} for t, c in sorted(term_counts.items(), key=lambda x: (-x[1], x[0]))[:top]],
        "outcomes": dict(sorted(outcomes.items())),
        "tag_success": rates[:top],
    }

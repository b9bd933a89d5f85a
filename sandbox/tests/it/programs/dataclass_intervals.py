from dataclasses import dataclass, field
from typing import List, Optional


@dataclass(order=True)
class Interval:
    start: int
    end: int
    tags: List[str] = field(default_factory=list, compare=False)


def merge(intervals: List[Interval]) -> List[Interval]:
    out: List[Interval] = []
    for iv in sorted(intervals):
        if out and iv.start <= out[-1].end:
            out[-1].end = max(out[-1].end, iv.end)
        else:
            out.append(Interval(iv.start, iv.end))
    return out


print(merge([Interval(1, 3), Interval(8, 10), Interval(2, 6), Interval(15, 18)]))
best: Optional[Interval] = max(merge([Interval(i, i + 3) for i in range(0, 100, 5)]), key=lambda iv: iv.end)
print(best)

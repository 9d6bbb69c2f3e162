"""The pairing solver: pure Python + numpy/scipy, no database (bench/ runs it in memory).

Score of a (mentor, mentee) pair:
    3 per service both name + 2 per industry both name, and only if that is > 0
    (a mentor sharing neither a service nor an industry cannot serve the mentee);
    then + 2 when both are in the same prefecture, + 1 when the prefectures are neighbours.

The plan serves as many mentees as can be served and, among such plans, has the highest
total score. It is solved exactly with scipy's linear_sum_assignment: every mentor is
expanded into `capacity` identical slots, and every compatible pair's weight gets a
bonus larger than any total score, so one more served mentee always outweighs score.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

SERVICE_WEIGHT = 3
INDUSTRY_WEIGHT = 2
SAME_REGION_BONUS = 2
NEIGHBOUR_BONUS = 1

NO_COMPATIBLE_MENTOR = "没有提供所需服务或熟悉所属产业的帮扶机构"
CAPACITY_EXHAUSTED = "可对口的帮扶机构名额已满"


@dataclass(frozen=True)
class Party:
    """A mentor (with capacity) or a mentee, as the solver sees it."""

    key: object
    name: str
    services: frozenset = frozenset()
    industries: frozenset = frozenset()
    region: object = None
    region_name: str = ""
    capacity: int = 0


@dataclass
class SuggestedPair:
    mentor: Party
    mentee: Party
    score: int
    reasons: list


@dataclass
class Plan:
    pairs: list = field(default_factory=list)
    # (mentee, reason in Chinese): mentees the plan could not serve.
    unserved: list = field(default_factory=list)

    @property
    def total_score(self):
        return sum(p.score for p in self.pairs)


def score_pair(mentor, mentee, neighbours, order=None):
    """The pair's score and the reasons for it in Chinese words ((0, []) if incompatible).

    `order` maps vocabulary names to their place in the vocabulary, so the reasons list
    them as the vocabulary does (by name otherwise).
    """
    order = order or {}

    def key(name):
        return (order.get(name, len(order)), name)

    services = sorted(mentor.services & mentee.services, key=key)
    industries = sorted(mentor.industries & mentee.industries, key=key)
    score = SERVICE_WEIGHT * len(services) + INDUSTRY_WEIGHT * len(industries)
    if score == 0:
        return 0, []
    reasons = []
    if services:
        reasons.append("服务对口：" + "、".join(services))
    if industries:
        reasons.append("产业对口：" + "、".join(industries))
    if mentor.region is not None and mentor.region == mentee.region:
        score += SAME_REGION_BONUS
        reasons.append(f"同在{mentee.region_name or mentor.region_name}")
    elif mentor.region is not None and mentee.region in neighbours.get(mentor.region, ()):
        score += NEIGHBOUR_BONUS
        reasons.append(f"地域相邻（{mentor.region_name}—{mentee.region_name}）")
    return score, reasons


def _bitmasks(parties, attr, index):
    masks = np.zeros(len(parties), dtype=np.uint64)
    for i, party in enumerate(parties):
        m = 0
        for name in getattr(party, attr):
            m |= 1 << index.setdefault(name, len(index))
        masks[i] = m
    return masks


def score_matrix(mentors, mentees, neighbours):
    """Scores of every (mentee, mentor) pair as an int matrix, computed with numpy bit masks."""
    s_index, i_index = {}, {}
    ms, es = _bitmasks(mentors, "services", s_index), _bitmasks(mentees, "services", s_index)
    mi, ei = _bitmasks(mentors, "industries", i_index), _bitmasks(mentees, "industries", i_index)
    if len(s_index) > 64 or len(i_index) > 64:
        raise ValueError("词表超过 64 项")
    content = SERVICE_WEIGHT * np.bitwise_count(es[:, None] & ms[None, :]).astype(
        np.int64
    ) + INDUSTRY_WEIGHT * np.bitwise_count(ei[:, None] & mi[None, :]).astype(np.int64)
    regions = {}
    mr = np.array([regions.setdefault(m.region, len(regions)) if m.region is not None else -1 for m in mentors])
    er = np.array([regions.setdefault(e.region, len(regions)) if e.region is not None else -2 for e in mentees])
    adjacency = np.zeros((len(regions) + 2, len(regions) + 2), dtype=bool)
    for region, others in neighbours.items():
        if region in regions:
            for other in others:
                if other in regions:
                    adjacency[regions[region], regions[other]] = adjacency[regions[other], regions[region]] = True
    same = er[:, None] == mr[None, :]
    near = adjacency[er[:, None], mr[None, :]] & ~same
    bonus = np.where(same, SAME_REGION_BONUS, np.where(near, NEIGHBOUR_BONUS, 0))
    return np.where(content > 0, content + bonus, 0)


def suggest(mentors, mentees, neighbours=None, forbidden=(), order=None):
    """The optimal plan for `mentees` within each mentor's capacity.

    `neighbours` maps a region to the regions next to it; `forbidden` holds (mentor key,
    mentee key) pairs never to suggest (e.g. ones the coordinator rejected); `order` is
    passed to score_pair for the reasons.
    """
    neighbours = neighbours or {}
    mentors = [m for m in mentors if m.capacity > 0]
    plan = Plan()
    if not mentees:
        return plan
    scores = score_matrix(mentors, mentees, neighbours) if mentors else np.zeros((len(mentees), 0), dtype=np.int64)
    if forbidden:
        m_pos = {m.key: j for j, m in enumerate(mentors)}
        e_pos = {e.key: i for i, e in enumerate(mentees)}
        for mentor_key, mentee_key in forbidden:
            if mentor_key in m_pos and mentee_key in e_pos:
                scores[e_pos[mentee_key], m_pos[mentor_key]] = 0
    # A mentor never needs more slots than there are mentees.
    slot_owner = np.repeat(np.arange(len(mentors)), [min(m.capacity, len(mentees)) for m in mentors])
    assigned = {}
    if len(slot_owner):
        slot_scores = scores[:, slot_owner]
        big = int(scores.max(axis=1).sum()) + 1
        weights = np.where(slot_scores > 0, slot_scores + big, 0)
        rows, cols = linear_sum_assignment(weights, maximize=True)
        for i, c in zip(rows, cols, strict=True):
            if weights[i, c] > 0:
                assigned[i] = slot_owner[c]
    for i, mentee in enumerate(mentees):
        if i in assigned:
            mentor = mentors[assigned[i]]
            score, reasons = score_pair(mentor, mentee, neighbours, order)
            plan.pairs.append(SuggestedPair(mentor, mentee, score, reasons))
        else:
            reason = CAPACITY_EXHAUSTED if scores[i].max(initial=0) > 0 else NO_COMPATIBLE_MENTOR
            plan.unserved.append((mentee, reason))
    return plan


def suggest_greedy(mentors, mentees, neighbours=None):
    """A baseline for bench/: each mentee in turn takes its best mentor with room left."""
    neighbours = neighbours or {}
    mentors = [m for m in mentors if m.capacity > 0]
    scores = score_matrix(mentors, mentees, neighbours)
    left = np.array([m.capacity for m in mentors])
    plan = Plan()
    for i, mentee in enumerate(mentees):
        row = np.where(left > 0, scores[i], 0)
        j = int(row.argmax()) if len(row) else 0
        if len(row) and row[j] > 0:
            left[j] -= 1
            score, reasons = score_pair(mentors[j], mentee, neighbours)
            plan.pairs.append(SuggestedPair(mentors[j], mentee, score, reasons))
        else:
            plan.unserved.append((mentee, CAPACITY_EXHAUSTED if scores[i].max(initial=0) > 0 else NO_COMPATIBLE_MENTOR))
    return plan

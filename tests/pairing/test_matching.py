"""The solver: optimal on small random instances (checked by brute force), capacities kept, nobody dropped."""

import itertools
import random

import pytest

from pairing import matching
from pairing.matching import Party, score_pair, suggest

SERVICES = ["信息咨询", "检索分析", "专利导航", "培训", "商标品牌指导"]
INDUSTRIES = ["农牧", "新能源", "盐湖化工", "文化旅游"]
REGIONS = [1, 2, 3, 4]
NEIGHBOURS = {1: {2}, 2: {1, 3}, 3: {2}}


def random_instance(rng):
    def pick(vocab):
        return frozenset(rng.sample(vocab, rng.randint(0, 2)))

    mentors = [
        Party(
            key=f"m{j}",
            name=f"机构{j}",
            services=pick(SERVICES),
            industries=pick(INDUSTRIES),
            region=rng.choice(REGIONS),
            capacity=rng.randint(1, 2),
        )
        for j in range(rng.randint(1, 4))
    ]
    mentees = [
        Party(key=f"e{i}", name=f"单位{i}", services=pick(SERVICES), industries=pick(INDUSTRIES), region=rng.choice(REGIONS))
        for i in range(rng.randint(1, 6))
    ]
    return mentors, mentees


def brute_force(mentors, mentees):
    """Best (served count, total score) over every way of giving each mentee a mentor or none."""
    best = (0, 0)
    options = [None, *range(len(mentors))]
    for choice in itertools.product(options, repeat=len(mentees)):
        load = [0] * len(mentors)
        served = total = 0
        feasible = True
        for mentee, j in zip(mentees, choice, strict=True):
            if j is None:
                continue
            score, _ = score_pair(mentors[j], mentee, NEIGHBOURS)
            load[j] += 1
            if score == 0 or load[j] > mentors[j].capacity:
                feasible = False
                break
            served += 1
            total += score
        if feasible:
            best = max(best, (served, total))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_suggestion_matches_brute_force_optimum_and_keeps_capacities(seed):
    rng = random.Random(seed)
    mentors, mentees = random_instance(rng)
    plan = suggest(mentors, mentees, NEIGHBOURS)

    assert (len(plan.pairs), plan.total_score) == brute_force(mentors, mentees)
    for mentor in mentors:
        assert sum(1 for p in plan.pairs if p.mentor.key == mentor.key) <= mentor.capacity
    # Every mentee is either paired or reported, exactly once.
    keys = [p.mentee.key for p in plan.pairs] + [m.key for m, _ in plan.unserved]
    assert sorted(keys) == sorted(e.key for e in mentees)
    for pair in plan.pairs:
        assert pair.score > 0 and pair.reasons


def test_mentee_nobody_can_serve_is_reported_with_the_reason():
    mentor = Party("m", "青藏中心", services=frozenset({"专利导航"}), industries=frozenset({"新能源"}), region=1, capacity=3)
    served = Party("a", "海南州", services=frozenset({"专利导航"}), region=2)
    stranded = Party("b", "玉树州", services=frozenset({"维权援助"}), industries=frozenset({"农牧"}), region=1)

    plan = suggest([mentor], [served, stranded], NEIGHBOURS)

    assert [(p.mentor.key, p.mentee.key) for p in plan.pairs] == [("m", "a")]
    assert plan.unserved == [(stranded, matching.NO_COMPATIBLE_MENTOR)]


def test_mentee_left_over_when_capacity_runs_out_is_reported_as_such():
    mentor = Party("m", "之也科技", services=frozenset({"培训"}), region=1, capacity=1)
    a = Party("a", "西宁市", services=frozenset({"培训"}), region=1)
    b = Party("b", "海东市", services=frozenset({"培训"}), region=2)

    plan = suggest([mentor], [a, b], NEIGHBOURS)

    assert [p.mentee.key for p in plan.pairs] == ["a"]  # same prefecture scores higher
    assert plan.unserved == [(b, matching.CAPACITY_EXHAUSTED)]


def test_serving_one_more_mentee_outweighs_a_higher_score():
    # X would score far more with A, but then Y (who only A can serve) would be left out.
    a = Party("A", "甲", services=frozenset({"培训", "专利导航", "检索分析"}), capacity=1)
    b = Party("B", "乙", services=frozenset({"培训"}), capacity=1)
    x = Party("X", "X", services=frozenset({"培训", "专利导航", "检索分析"}))
    y = Party("Y", "Y", services=frozenset({"检索分析"}))

    plan = suggest([a, b], [x, y])

    assert {(p.mentor.key, p.mentee.key) for p in plan.pairs} == {("B", "X"), ("A", "Y")}
    assert plan.unserved == []


def test_forbidden_pairs_are_never_suggested():
    a = Party("A", "甲", services=frozenset({"培训"}), capacity=1)
    x = Party("X", "X", services=frozenset({"培训"}))
    plan = suggest([a], [x], forbidden={("A", "X")})
    assert plan.pairs == [] and plan.unserved == [(x, matching.NO_COMPATIBLE_MENTOR)]


def test_reasons_are_chinese_words_naming_what_matched():
    mentor = Party(
        "m",
        "盐湖所",
        services=frozenset({"专利导航", "风险预警"}),
        industries=frozenset({"盐湖化工"}),
        region=1,
        region_name="西宁市",
    )
    mentee = Party(
        "e", "海西州", services=frozenset({"专利导航"}), industries=frozenset({"盐湖化工"}), region=2, region_name="海东市"
    )
    score, reasons = score_pair(mentor, mentee, NEIGHBOURS)
    assert score == 3 + 2 + 1
    assert reasons == ["服务对口：专利导航", "产业对口：盐湖化工", "地域相邻（西宁市—海东市）"]

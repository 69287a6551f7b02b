"""Which waiting caller an operator takes next: their languages only, protection and urgent first, then the wait."""

from __future__ import annotations

from hotline.operators.routing import WaitingCall, next_caller


def waiting(contact_id: int, language: str, since: float, **flags: bool) -> WaitingCall:
    return WaitingCall(contact_id, f"CA{contact_id:032x}", "QU" + "1" * 32, language, since, **flags)


def test_only_the_operator_s_languages() -> None:
    assert next_caller([waiting(1, "bn", 10.0)], ["prs"]) is None
    chosen = next_caller([waiting(1, "bn", 10.0), waiting(2, "prs", 20.0)], ["prs", "en"])
    assert chosen is not None
    assert chosen.contact_id == 2


def test_protection_then_urgent_then_the_longest_wait() -> None:
    calls = [waiting(1, "prs", 10.0), waiting(2, "prs", 30.0, urgent=True), waiting(3, "prs", 50.0, protection=True),
             waiting(4, "prs", 5.0)]
    order = []
    while calls:
        chosen = next_caller(calls, ["prs"])
        assert chosen is not None
        order.append(chosen.contact_id)
        calls.remove(chosen)
    assert order == [3, 2, 4, 1]

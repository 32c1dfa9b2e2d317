"""Answers to a service's information questions, however a surface names the questions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from slotbook.api.kit.errors import BadInput
from slotbook.domain.model import InformationQuestion, Service


def answers_by_question(
    services: Sequence[Service],
    given: Sequence[tuple[str, str | None]],
    field: Callable[[int], str],
) -> dict[str, str]:
    """Answers by catalog question id, from (question as the client names it, answer) pairs.

    A question may be named by its catalog id, its GUID or its digit id (any case); a blank
    answer answers nothing. An unknown question, or one answered twice, is 400 naming
    ``field(index)``. Whether required questions are answered is the core's rule.
    """
    questions: dict[str, InformationQuestion] = {}
    for asked in (q for s in services for q in s.information_questions):
        for name in (asked.key, asked.key.lower(), asked.ids.uuid.lower(), asked.ids.digits):
            questions.setdefault(name, asked)
    answers: dict[str, str] = {}
    seen: set[str] = set()
    for index, (name, answer) in enumerate(given):
        question = questions.get(name) or questions.get(name.lower())
        if question is None:
            raise BadInput(f"{field(index)}: {name[:40]!r} is not a question of this service")
        if question.key in seen:
            raise BadInput(f"{field(index)}: question {name[:40]!r} is answered twice")
        seen.add(question.key)
        text = (answer or "").strip()
        if text:
            answers[question.key] = text
    return answers

"""The caller's language: an ``Accept-Language`` header as one of the manuals' locales."""

from __future__ import annotations

LOCALES = ("en_US", "en_UK", "fr_FR", "nl_NL", "de_DE", "it_IT", "es_ES")
_BY_LOWER = {locale.lower(): locale for locale in LOCALES}
# Common spellings of the same languages that the manual's list names differently.
_ALIASES = {"en_gb": "en_UK"}


def resolve_locale(header: str | None, default_locale: str) -> str:
    """The manual's locale for an ``Accept-Language`` value; the tenant default otherwise.

    Case and separator do not matter (``nl-NL``, ``NL_nl``); a bare language (``nl``) or a
    regional variant (``nl-BE``) picks that language's locale; a browser-style list is tried
    in order of preference.
    """
    if not header:
        return default_locale
    candidates: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().lower().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        candidates.append((-weight, position, tag.strip().replace("-", "_").lower()))
    for _, _, tag in sorted(candidates):
        found = _BY_LOWER.get(tag) or _ALIASES.get(tag)
        if found is None:
            language = tag.split("_", 1)[0]
            found = next((lc for lc in LOCALES if lc.lower().startswith(language + "_")), None)
        if found is not None:
            return found
    return default_locale

"""Read and validate a catalog file; every problem is reported with its place."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from slotbook.catalog.schema import (
    BranchIn,
    CatalogIn,
    Hours,
    ResourceIn,
    ServiceGroupIn,
    ServiceIn,
    TenantIn,
)
from slotbook.domain.errors import CatalogError
from slotbook.domain.intervals import any_overlap
from slotbook.domain.schedule import LocalRange, zone_named
from slotbook.notifications.sms import check_sms_template
from slotbook.notifications.webhooks import check_secret


def read_catalog_file(path: str | Path) -> CatalogIn:
    """Parse and validate a catalog file (``.json``, ``.yaml`` or ``.yml``)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    return parse_catalog(raw, yaml_syntax=path.suffix.lower() in (".yaml", ".yml"))


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    """A JSON/YAML object whose keys are all different (the parsers keep the last silently)."""
    found: dict[Any, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(f'key "{key}" appears twice in one object')
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.safe_load`` that refuses a key written twice in one mapping.

    Only a mapping's own keys count: keys merged in with ``<<: *anchor`` may be overridden,
    which is what merge keys are for.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        own = [key for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
        try:
            _unique_keys([(self.construct_object(key, deep=deep), None) for key in own])
        except (_DuplicateKey, TypeError) as exc:  # TypeError: a list or mapping as a key
            raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _UniqueKeyLoader.construct_mapping
)


def parse_catalog(raw: bytes | str, *, yaml_syntax: bool = False) -> CatalogIn:
    """Parse catalog text (JSON, or YAML when asked) and validate it."""
    try:
        if yaml_syntax:
            data: Any = yaml.load(raw, Loader=_UniqueKeyLoader)  # a SafeLoader
        else:
            data = json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:  # ValueError: JSON errors too
        kind = "YAML" if yaml_syntax else "JSON"
        raise CatalogError([f"catalog is not valid {kind}: {exc}"]) from None
    return validate_catalog(data)


def validate_catalog(data: Any) -> CatalogIn:
    """Validate decoded catalog data: shape, then references and meanings; every problem at once.

    When some objects are malformed, the rest is still checked for references and meanings
    (references to the malformed objects aside), so one run reports every mistake.
    """
    try:
        catalog = CatalogIn.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        problems += _check_what_is_well_formed(data)
        raise CatalogError(problems) from None
    problems = _meaning_problems(catalog)
    if problems:
        raise CatalogError(problems)
    return catalog


# Lists of a tenant whose items are checked one by one when the tenant as a whole is malformed.
_PARTS: dict[str, type[BranchIn] | type[ServiceIn] | type[ServiceGroupIn]] = {
    "branches": BranchIn,
    "services": ServiceIn,
    "service_groups": ServiceGroupIn,
}


def _check_what_is_well_formed(data: Any) -> list[str]:
    """Meaning problems of the well-formed parts of a malformed catalog.

    Malformed objects are left out (and references to them not reported again); places in
    the messages keep the positions the objects have in the file.
    """
    if not isinstance(data, dict) or not isinstance(data.get("tenants"), list):
        return []
    kept: list[Any] = []
    positions: dict[tuple[int, str], list[int]] = {}  # (tenant, list) -> original positions
    tenant_positions: list[int] = []
    dropped: set[str] = set()
    for t_index, tenant in enumerate(data["tenants"]):
        if not isinstance(tenant, dict):
            continue
        pruned = dict(tenant)
        for name, model in _PARTS.items():
            items = tenant.get(name)
            if not isinstance(items, list):
                pruned.pop(name, None)
                continue
            good, where = [], []
            for i_index, item in enumerate(items):
                try:
                    model.model_validate(item)
                except ValidationError:
                    dropped.update(_ids_in(item))
                    continue
                good.append(item)
                where.append(i_index)
            pruned[name] = good
            positions[(len(kept), name)] = where
        try:
            TenantIn.model_validate(pruned)
        except ValidationError:
            continue  # the tenant's own fields are malformed: its shape errors say enough
        kept.append(pruned)
        tenant_positions.append(t_index)
    if not kept:
        return []

    def original(match: re.Match[str]) -> str:
        tenant, name, index = int(match[1]), match[2], match[3]
        text = f"tenants[{tenant_positions[tenant]}]"
        if name is not None:
            text += f".{name}[{positions[(tenant, name)][int(index)]}]"
        return text

    partial = CatalogIn.model_validate({"tenants": kept})
    return [
        _PLACE.sub(original, problem, count=1)
        for problem in _meaning_problems(partial)
        if not any(f'"{i}"' in problem for i in dropped)
    ]


_PLACE = re.compile(r"tenants\[(\d+)\](?:\.(branches|services|service_groups)\[(\d+)\])?")


def _ids_in(item: Any) -> set[str]:
    """The ids a malformed object (and its resources) would have defined."""
    found: set[str] = set()
    if isinstance(item, dict):
        if isinstance(item.get("id"), str):
            found.add(item["id"])
        for res in item.get("resources") or []:
            if isinstance(res, dict) and isinstance(res.get("id"), str):
                found.add(res["id"])
    return found


def _meaning_problems(catalog: CatalogIn) -> list[str]:
    problems: list[str] = []
    _duplicates(problems, "tenants", (t.id for t in catalog.tenants))
    keys = Counter(k if isinstance(k, str) else k.key for t in catalog.tenants for k in t.api_keys)
    if any(count > 1 for count in keys.values()):
        problems.append("tenants[].api_keys: the same key is listed more than once")
    for t_index, tenant in enumerate(catalog.tenants):
        _check_tenant(problems, f"tenants[{t_index}]", tenant)
    return problems


def _describe(err: Any) -> str:
    place = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{place or 'catalog'}: {message}"


def _duplicates(problems: list[str], place: str, ids: Iterable[str]) -> None:
    for value, count in Counter(ids).items():
        if count > 1:
            problems.append(f'{place}: id "{value}" is used {count} times')


def _names_clash(
    problems: list[str], place: str, objects: Sequence[BranchIn] | Sequence[ServiceIn]
) -> None:
    """Clients look objects up by public_id or id, ignoring case: each name must be one's."""
    owners: dict[str, set[str]] = {}
    for obj in objects:
        for name in (obj.id, obj.public_id):
            if name:
                owners.setdefault(name.lower(), set()).add(obj.id)
    for name, ids in owners.items():
        if len(ids) > 1:
            named = ", ".join(f'"{i}"' for i in sorted(ids))
            problems.append(
                f'{place}: "{name}" names more than one of them ({named}); ids and '
                "public_ids must differ, ignoring case"
            )


def _check_hours(problems: list[str], place: str, hours: Hours) -> None:
    for day, ranges in hours.items():
        parsed = []
        for r_index, text in enumerate(ranges):
            try:
                rng = LocalRange.parse(text)
            except ValueError as exc:
                problems.append(f"{place}.hours.{day}[{r_index}]: {exc}")
                continue
            parsed.append((rng.start, rng.end))
        if any_overlap(parsed):
            problems.append(f"{place}.hours.{day}: opening ranges overlap")


MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _check_tenant(problems: list[str], place: str, tenant: TenantIn) -> None:
    colour = tenant.booking_page.primary_colour
    # The page writes white on the colour (header, buttons) and the colour on white (links).
    if colour is not None and (ratio := contrast_ratio(colour, "#ffffff")) < MIN_CONTRAST:
        problems.append(
            f"{place}.booking_page.primary_colour: {colour} on white has a contrast of "
            f"{ratio:.2f}:1; the page needs at least {MIN_CONTRAST}:1 (choose a darker colour)"
        )
    for index, hook in enumerate(tenant.webhooks):
        try:
            check_secret(hook.secret)
        except ValueError as error:
            problems.append(f"{place}.webhooks[{index}].secret: {error}")
    sms = tenant.notifications.sms
    if sms is not None and sms.template is not None:
        try:
            check_sms_template(sms.template)
        except ValueError as error:
            problems.append(f"{place}.notifications.sms.template: {error}")
    _duplicates(problems, f"{place}.branches", (b.id for b in tenant.branches))
    resources: dict[str, str] = {}
    all_resources: list[ResourceIn] = []
    for b_index, branch in enumerate(tenant.branches):
        _check_branch(problems, f"{place}.branches[{b_index}]", branch)
        for res in branch.resources:
            all_resources.append(res)
            resources[res.id] = branch.id
    _duplicates(problems, f"{place}.resources", (r.id for r in all_resources))
    _names_clash(problems, f"{place}.branches", tenant.branches)
    branch_ids = {b.id for b in tenant.branches}
    _duplicates(problems, f"{place}.services", (s.id for s in tenant.services))
    _names_clash(problems, f"{place}.services", tenant.services)
    for s_index, service in enumerate(tenant.services):
        _check_service(problems, f"{place}.services[{s_index}]", service, branch_ids, resources)
    service_ids = {s.id for s in tenant.services}
    _check_groups(
        problems,
        f"{place}.service_groups",
        [(g.id, g.services) for g in tenant.service_groups],
        "services",
        service_ids,
    )
    _check_groups(
        problems,
        f"{place}.resource_groups",
        [(g.id, g.resources) for g in tenant.resource_groups],
        "resources",
        set(resources),
    )
    for c_index, combo in enumerate(tenant.combinations):
        where = f"{place}.combinations[{c_index}]"
        if len(combo) < 2:
            problems.append(f"{where}: a combination needs at least two services")
        if len(set(combo)) != len(combo):
            problems.append(f"{where}: a service appears twice")
        for i, key in enumerate(combo):
            if key not in service_ids:
                problems.append(f'{where}[{i}]: unknown service "{key}"')


def _check_groups(
    problems: list[str],
    place: str,
    groups: Sequence[tuple[str, Sequence[str]]],
    members: str,
    known: set[str],
) -> None:
    """Groups (id, member ids): ids used once, every member known."""
    _duplicates(problems, place, (group_id for group_id, _ in groups))
    noun = members.removesuffix("s")
    for g_index, (_, keys) in enumerate(groups):
        for i, key in enumerate(keys):
            if key not in known:
                problems.append(f'{place}[{g_index}].{members}[{i}]: unknown {noun} "{key}"')


def _check_branch(problems: list[str], place: str, branch: BranchIn) -> None:
    try:
        zone_named(branch.time_zone)
    except ValueError:
        problems.append(f'{place}.time_zone: unknown time zone "{branch.time_zone}"')
    _check_hours(problems, place, branch.hours)
    for r_index, res in enumerate(branch.resources):
        if res.hours is not None:
            _check_hours(problems, f"{place}.resources[{r_index}]", res.hours)


def _check_service(
    problems: list[str],
    place: str,
    service: ServiceIn,
    branch_ids: set[str],
    resources: dict[str, str],
) -> None:
    performers = set(resources) if service.resources is None else set(service.resources)
    for i, key in enumerate(service.branches):
        if key not in branch_ids:
            problems.append(f'{place}.branches[{i}]: unknown branch "{key}"')
        elif not any(resources.get(r) == key for r in performers):
            # It would be listed there but never offered a time.
            problems.append(f'{place}.branches[{i}]: no resource of branch "{key}" performs it')
    for i, key in enumerate(service.resources or []):
        if key not in resources:
            problems.append(f'{place}.resources[{i}]: unknown resource "{key}"')
        elif resources[key] not in service.branches:
            problems.append(
                f'{place}.resources[{i}]: resource "{key}" belongs to branch '
                f'"{resources[key]}", where this service is not offered'
            )
    if sum(1 for d in service.durations if d.default) > 1:
        problems.append(f"{place}.durations: more than one default duration")
    _duplicates(
        problems, f"{place}.durations (minutes)", (str(d.minutes) for d in service.durations)
    )
    _duplicates(
        problems, f"{place}.information_questions", (q.id for q in service.information_questions)
    )
    _duplicates(
        problems, f"{place}.screening_questions", (q.id for q in service.screening_questions)
    )
    if service.capacity > 1 and service.additional_customer_duration:
        # In a group session more people take more spaces, never more time.
        problems.append(
            f"{place}.additional_customer_duration: a group service (capacity > 1) keeps its "
            "length for any number of people; leave it out"
        )
    if (
        service.capacity > 1
        and service.max_reservations
        and service.max_reservations > service.capacity
    ):
        problems.append(
            f"{place}.max_reservations: {service.max_reservations} is more than the capacity "
            f"({service.capacity})"
        )


def validate_tenant(document: Any) -> TenantIn:
    """Validate one tenant's catalog (the file's shape) as the file loader does.

    Problems name objects by id rather than position (``services["passport"].duration``):
    an API caller changes one object and does not know where it sits in the list.
    """
    try:
        return validate_catalog({"tenants": [document]}).tenants[0]
    except CatalogError as error:
        raise CatalogError([_by_id(problem, document) for problem in error.problems]) from None


_TENANT_PLACE = re.compile(
    r"^tenants\[0\]\.?(?:(branches|services|service_groups)\[(\d+)\](?:\.resources\[(\d+)\])?)?"
)


def _by_id(problem: str, document: Any) -> str:
    """``tenants[0].branches[2].resources[1]`` -> ``resources["desk-3"]``, when it can tell."""

    def named(match: re.Match[str]) -> str:
        kind, index, inner = match[1], match[2], match[3]
        if kind is None:
            return ""
        try:
            item = document[kind][int(index)]
            if inner is not None:
                return f'resources["{item["resources"][int(inner)]["id"]}"]'
            return f'{kind}["{item["id"]}"]'
        except (KeyError, IndexError, TypeError):
            return match[0].removeprefix("tenants[0].")

    text = _TENANT_PLACE.sub(named, problem, count=1)
    return text.removeprefix(":").strip() if text.startswith(":") else text

"""What a booking page sees before it books: services, groups, branches, languages."""

from __future__ import annotations

import re

import pytest

from tests.api.qmatic.conftest import Qmatic

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _names(qm: Qmatic, language: str | None) -> set[str]:
    headers = {} if language is None else {"Accept-Language": language}
    response = qm.get("services", headers=headers)
    assert response.status_code == 200
    return {o["service"]["name"] for o in response.json()}


def test_services_list_one_entry_per_branch_with_guids_and_config(qm: Qmatic) -> None:
    offers = qm.offers()
    pairs = [(o["service"]["name"], o["branch"]["name"]) for o in offers]
    assert pairs == [
        ("Passport", "North Office"),
        ("Passport", "South Office"),
        ("ID card", "North Office"),
        ("Birth registration", "North Office"),
        ("Birth registration", "South Office"),
        ("Driving licence", "North Office"),
        ("Counter appointment", "North Office"),
    ]
    passport = offers[0]
    assert GUID.match(passport["service"]["id"])
    assert GUID.match(passport["branch"]["id"])
    assert passport["service"]["config"] == {"maxNumberOfReservations": 4, "onlineBookable": True}
    assert passport["branch"]["address"] == {
        "streetName": "Lageweg 35",
        "zipCode": "2222 AG",
        "city": "Katwijk",
        "country": "Netherlands",
    }
    assert passport["branch"]["location"] == {"longitude": 4.43, "latitude": 52.2}
    staff = offers[-1]["service"]
    assert staff["config"] == {"maxNumberOfReservations": 1, "onlineBookable": False}


def test_services_show_questions_with_their_ids(qm: Qmatic) -> None:
    passport = qm.offers()[0]
    questions = passport["informationQuestions"]
    assert [(q["questionText"], q["required"]) for q in questions] == [
        ("Reason of visit", True),
        ("Remarks", False),
    ]
    assert questions[0]["clarificationText"] == "New, renewal or lost"
    assert all(GUID.match(q["id"]) for q in questions)
    assert passport["screeningQuestions"] == [
        {
            "id": passport["screeningQuestions"][0]["id"],
            "yesRequiredAnswer": True,
            "questionText": "Do you have a photo?",
            "clarificationText": None,
            "answerDeniedMessage": "Bring a photo first",
        }
    ]


def test_resource_selection_is_shown_only_when_the_catalog_enables_it(qm: Qmatic) -> None:
    by_pair = {(o["service"]["name"], o["branch"]["name"]): o for o in qm.offers()}
    required = by_pair["Passport", "North Office"]["resourceSelection"]
    assert required["required"] is True
    assert [r["name"] for r in required["availableResources"]] == ["Desk 1", "Desk 2"]
    south = by_pair["Passport", "South Office"]["resourceSelection"]
    assert [r["name"] for r in south["availableResources"]] == ["Counter A"]
    optional = by_pair["Driving licence", "North Office"]["resourceSelection"]
    assert optional["required"] is False
    assert [r["name"] for r in optional["availableResources"]] == ["Desk 1", "Desk 2"]
    hidden = by_pair["ID card", "North Office"]["resourceSelection"]
    assert hidden == {"required": False, "availableResources": []}


def test_names_come_in_dutch_for_nl_nl_and_english_for_en_us(qm: Qmatic) -> None:
    assert "Paspoort" in _names(qm, "nl_NL")
    assert "Rijbewijs" in _names(qm, "nl_NL")
    assert "Passport" in _names(qm, "en_US")
    dutch = qm.get("services", headers={"Accept-Language": "nl_NL"}).json()[0]
    assert dutch["informationQuestions"][0]["questionText"] == "Reden van bezoek"
    assert dutch["screeningQuestions"][0]["questionText"] == "Heeft u een foto?"


@pytest.mark.parametrize("language", ["nl-NL", "nl", "NL_nl", "nl_nl", "nl-BE", "da, nl;q=0.8"])
def test_dutch_is_recognised_in_every_common_spelling(qm: Qmatic, language: str) -> None:
    assert "Paspoort" in _names(qm, language)


@pytest.mark.parametrize("language", [None, "", "sv_SE", "fr_FR", "*", "xx;q=abc"])
def test_unknown_or_missing_language_falls_back_to_the_tenant_default(
    qm: Qmatic, language: str | None
) -> None:
    # French is a supported language, but the catalog has no French names: default locale.
    assert "Passport" in _names(qm, language)


def test_untranslated_names_stay_as_written(qm: Qmatic) -> None:
    assert "Birth registration" in _names(qm, "nl_NL")


def test_tenant_default_locale_applies_without_header(qm: Qmatic) -> None:
    other = qm.as_tenant("other", "other-key-0003")
    response = other.get("services")
    assert response.status_code == 200
    assert [o["service"]["name"] for o in response.json()] == ["Paspoort"]


def test_groups_list_grouped_and_ungrouped_services(qm: Qmatic) -> None:
    response = qm.get("services/groups", headers={"Accept-Language": "nl_NL"})
    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body["services"]] == [
        "Birth registration",
        "Rijbewijs",
        "Counter appointment",
    ]
    [group] = body["serviceGroups"]
    assert group["name"] == "Reisdocumenten"
    assert group["index"] == 0
    assert GUID.match(group["id"])
    assert [s["name"] for s in group["services"]] == ["Paspoort", "ID-kaart"]
    passport = group["services"][0]
    assert passport["externalDescription"] == "Paspoort aanvragen"
    assert passport["onlineBookable"] is True
    assert passport["index"] == 0


def test_service_lists_the_branches_that_offer_it(qm: Qmatic) -> None:
    passport = qm.service_id("Passport")
    response = qm.get(f"services/{passport}")
    assert response.status_code == 200
    branches = response.json()
    assert [b["branch"]["name"] for b in branches] == ["North Office", "South Office"]
    assert branches[0]["resourceSelection"]["required"] is True
    idcard = qm.service_id("ID card")
    assert [b["branch"]["name"] for b in qm.get(f"services/{idcard}").json()] == ["North Office"]


def test_service_ids_are_case_insensitive_and_unknown_ones_are_404(qm: Qmatic) -> None:
    passport = qm.service_id("Passport")
    assert qm.get(f"services/{passport.upper()}").status_code == 200
    missing = qm.get("services/3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert missing.status_code == 404
    assert missing.json()["code"] == "service_not_found"
    malformed = qm.get("services/passport")
    assert malformed.status_code == 400
    assert "serviceId" in malformed.json()["message"]


def test_combination_branches_list_the_combinations_offered_there(qm: Qmatic) -> None:
    response = qm.get("serviceCombination/branch", headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    [entry] = response.json()
    assert entry["branch"]["name"] == "North Office"
    assert entry["serviceCombinations"] == [
        {
            "services": [
                {"id": qm.service_id("ID card"), "name": "ID-kaart"},
                {"id": qm.service_id("Birth registration"), "name": "Birth registration"},
            ]
        }
    ]

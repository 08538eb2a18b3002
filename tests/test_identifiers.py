"""FINESS numbers and INSEE codes: the identifiers our IRIs are built from."""

import pytest

from kg.identifiers import commune_problem, finess_problem, luhn_key, luhn_ok


@pytest.mark.parametrize("number", ["750712184", "780110078", "910019447"])
def test_real_finess_numbers_pass_the_luhn_key(number):
    assert luhn_ok(number)
    assert finess_problem(number) is None


def test_a_wrong_key_names_the_right_one():
    assert finess_problem("750712185") == (
        "'750712185' fails the FINESS check key: its last digit should be 4; "
        "check the number against the register"
    )


@pytest.mark.parametrize("number", ["2A0000012", "2B0001234"])
def test_corsican_numbers_are_checked_on_the_pattern_alone(number):
    assert finess_problem(number) is None


@pytest.mark.parametrize(
    "number", ["200000000", "96000000X", "75071218", "7507121840", "ab0000000"]
)
def test_malformed_numbers(number):
    assert "is not a FINESS number" in (finess_problem(number) or "")


def test_luhn_key_completes_eight_digits():
    assert luhn_key("75071218") == 4


@pytest.mark.parametrize("code", ["78158", "2A004", "2B033", "97411", "01001"])
def test_commune_codes(code):
    assert commune_problem(code) is None


@pytest.mark.parametrize("code", ["20004", "7815", "97711", "2C004", "ABCDE"])
def test_bad_commune_codes(code):
    assert commune_problem(code) is not None

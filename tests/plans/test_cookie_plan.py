"""The release cookie's plan (plans/cookie.py): where it lives, of what type, how long it is."""

from __future__ import annotations

from components.plans.cookie import cookie_plan


def test_the_cookie_is_a_secure_string_under_the_configured_name(settings):
    plan = cookie_plan(settings(release={"cookieParameter": "/shop/dev/cookie"}))
    assert (plan.parameter_name, plan.parameter_type) == ("/shop/dev/cookie", "SecureString")
    assert plan.parameter_description == "Erlang distribution cookie of shop-dev; read by nodes at start"


def test_the_cookie_is_64_letters_and_digits_under_a_key_that_rotates(settings):
    plan = cookie_plan(settings())
    assert (plan.length, plan.special_characters, plan.key_rotation) == (64, False, True)
    assert plan.key_description == f"Encrypts the release cookie {plan.parameter_name}"

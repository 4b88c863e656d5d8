import platform

from runbook_drill.harness.engine.wheelhouse import platform_flags, requirements_hash


def test_the_wheelhouse_key_ignores_order_comments_and_blank_lines():
    assert requirements_hash("a==1\nb==2\n") == requirements_hash("# deps\nb==2  # why\n\na==1")


def test_the_wheelhouse_key_changes_with_a_pin():
    assert requirements_hash("a==1\n") != requirements_hash("a==2\n")


def test_wheels_are_chosen_for_manylinux_on_this_architecture():
    flags = platform_flags()
    assert flags[0] == "--platform" and f"manylinux2014_{platform.machine()}" in flags

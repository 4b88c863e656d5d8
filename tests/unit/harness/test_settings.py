from pathlib import Path

import pytest

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.settings import Settings, env_name, load_settings


def test_no_flags_env_or_file_gives_the_defaults(tmp_path):
    assert load_settings({}, {"DRILL_CONFIG": str(tmp_path / "none.toml")}) == Settings()


def test_cli_beats_environment_beats_file(tmp_path):
    config = tmp_path / "drill.toml"
    config.write_text('pull_timeout = 5\nengine_timeout = 7\nimage_policy = "local"\n')
    env = {"DRILL_CONFIG": str(config), "DRILL_PULL_TIMEOUT": "9", "DRILL_ENGINE_TIMEOUT": "11"}
    settings = load_settings({"pull_timeout": 13}, env)
    assert settings.pull_timeout == 13      # CLI
    assert settings.engine_timeout == 11    # environment over file
    assert settings.image_policy == "local"  # file over default


@pytest.mark.parametrize("name, value, fragment", [
    ("pull_timeout", "soon", "pull_timeout = 'soon' (from DRILL_PULL_TIMEOUT)"),
    ("engine_timeout", "0", "must be a positive number of seconds"),
    ("engine_timeout", "nan", "must be a positive number of seconds"),
    ("image_policy", "always", "must be one of auto, offline, local"),
])
def test_a_bad_environment_value_is_named_with_its_source(name, value, fragment, tmp_path):
    env = {"DRILL_CONFIG": str(tmp_path / "none.toml"), env_name(name): value}
    with pytest.raises(ConfigError) as err:
        load_settings({}, env)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_an_unknown_key_in_the_settings_file_is_an_error_naming_it(tmp_path):
    config = tmp_path / "drill.toml"
    config.write_text("pull_timout = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'pull_timout'"):
        load_settings({}, {"DRILL_CONFIG": str(config)})


def test_a_malformed_settings_file_is_an_error_naming_the_file(tmp_path):
    config = tmp_path / "drill.toml"
    config.write_text("pull_timeout = = 3\n")
    with pytest.raises(ConfigError, match=str(config)):
        load_settings({}, {"DRILL_CONFIG": str(config)})


def test_paths_from_the_environment_become_paths(tmp_path):
    settings = load_settings({}, {"DRILL_CONFIG": str(tmp_path / "x"), "DRILL_STATE_DIR": "/tmp/s"})
    assert settings.state_dir == Path("/tmp/s")


def test_a_teams_scenario_paths_come_from_the_flags_else_the_environment_else_the_file(tmp_path):
    config = tmp_path / "drill.toml"
    config.write_text('scenarios = ["ops/drill", "more"]\n')
    env = {"DRILL_CONFIG": str(config)}
    assert load_settings({}, env).scenarios == (Path("ops/drill"), Path("more"))
    assert load_settings({}, {**env, "DRILL_SCENARIOS": "a:b/c"}).scenarios == (Path("a"), Path("b/c"))
    assert load_settings({"scenarios": ("x.toml",)}, {**env, "DRILL_SCENARIOS": "a"}).scenarios == (Path("x.toml"),)
    config.write_text("scenarios = 3\n")
    with pytest.raises(ConfigError, match="scenarios = 3 .*must be a list of paths"):
        load_settings({}, env)

"""The service profile: read from TOML and flags, every bad value one ConfigError naming
its key; the image's environment rendered from the placeholders and the knobs."""

import pytest

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.stack.profile import KNOBS, ServiceProfile, load_profile, profile_from, spelled, with_flags

VALUES = {"database_url": "postgresql://u:p@toxiproxy:15432/db", "postgres_host": "toxiproxy",
          "postgres_port": "15432", "postgres_user": "u", "postgres_password": "p", "postgres_db": "db",
          "redis_url": "redis://toxiproxy:16379/0", "redis_host": "toxiproxy", "redis_port": "16379",
          "auth_url": "http://toxiproxy:18080", "jwt_secret": "s" * 48}


def _profile(text: str, tmp_path) -> ServiceProfile:
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return load_profile(path)


def test_the_default_profile_is_the_bundled_user_api_s_variables_and_port():
    profile = ServiceProfile()
    env = profile.dependency_env(VALUES)
    assert profile.port == 8000 and env["DATABASE_URL"] == VALUES["database_url"]
    assert set(env) == {"DATABASE_URL", "REDIS_URL", "AUTH_SERVICE_URL", "JWT_SECRET"}
    assert profile.knob_env({"db_pool_max": 2}) == {"DB_POOL_MAX": "2"}


def test_a_team_s_profile_renders_its_own_names_from_the_placeholders(tmp_path):
    profile = _profile('[user_api]\nport = 9000\ncreate_users = ["/bin/seed", "--n", "{count}"]\n'
                       '[user_api.environment]\nPGHOST = "{postgres_host}"\nCACHE = "{redis_host}:{redis_port}"\n'
                       '[user_api.knobs]\ndb_pool_max = "POOL_SIZE"\n'
                       '[user_api.extra_environment]\nLOG_FORMAT = "text"\n', tmp_path)
    assert profile.port == 9000 and profile.create_users_argv(7) == ["/bin/seed", "--n", "7"]
    assert profile.dependency_env(VALUES) == {"PGHOST": "toxiproxy", "CACHE": "toxiproxy:16379", "LOG_FORMAT": "text"}
    assert profile.knob_env({"db_pool_max": 3, "db_pool_min": 1}) == {"POOL_SIZE": "3"}  # db_pool_min: optional


def test_a_knob_the_profile_does_not_name_is_an_error_naming_the_knob():
    profile = ServiceProfile(knobs={})
    with pytest.raises(ConfigError, match="'rate_limit_requests'"):
        profile.knob_env({"rate_limit_requests": "100"})


@pytest.mark.parametrize("text, key", [
    ("[user_api]\nport = 0\n", "user_api.port"),
    ("[user_api]\nport = \"8000\"\n", "user_api.port"),
    ("[user_api]\nstartup_timeout_s = -1\n", "user_api.startup_timeout_s"),
    ("[user_api]\ncreate_users = \"seed\"\n", "user_api.create_users"),
    ("[user_api]\nprot = 1\n", "user_api.prot"),
    ("[service]\nport = 1\n", "service"),
    ("[user_api.environment]\nPGHOST = \"{postgres_hots}\"\n", "user_api.environment.PGHOST"),
    ("[user_api.environment]\n\"BAD NAME\" = \"x\"\n", "user_api.environment.BAD NAME"),
    ("[user_api.environment]\nPORT = 8000\n", "user_api.environment.PORT"),
    ("[user_api.knobs]\npool = \"POOL\"\n", "user_api.knobs.pool"),
    ("[user_api.knobs]\ndb_pool_max = \"not a name\"\n", "user_api.knobs.db_pool_max"),
    ("[user_api.extra_environment]\nX = 1\n", "user_api.extra_environment.X"),
    ("[user_api.knobs]\ndb_pool_timeout_s = { variable = \"W\", unit = \"minutes\" }\n",
     "user_api.knobs.db_pool_timeout_s.unit"),
    ("[user_api.knobs]\ndb_pool_max = { variable = \"P\", unit = \"ms\" }\n", "user_api.knobs.db_pool_max.unit"),
    ("[user_api.knobs]\ndb_pool_max = { name = \"P\" }\n", "user_api.knobs.db_pool_max.name"),
    ("[user_api.knobs]\ndb_pool_max = { unit = \"s\" }\n", "user_api.knobs.db_pool_max"),
])
def test_every_bad_value_is_one_line_naming_its_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as error:
        _profile(text, tmp_path)
    assert key in str(error.value) and "\n" not in str(error.value)


def test_a_missing_or_unparsable_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_profile(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="profile.toml"):
        _profile("[user_api\n", tmp_path)


def test_flags_override_the_port_and_add_environment_and_are_validated():
    profile = with_flags(ServiceProfile(), 9100, ["LOG_FORMAT=text", "EMPTY="])
    assert profile.port == 9100 and profile.extra_environment == {"LOG_FORMAT": "text", "EMPTY": ""}
    with pytest.raises(ConfigError, match="--user-api-env"):
        with_flags(ServiceProfile(), None, ["NOEQUALS"])
    with pytest.raises(ConfigError, match="--user-api-port"):
        with_flags(ServiceProfile(), 70000, [])


def test_the_go_example_s_profile_names_every_required_knob():
    from runbook_drill.harness.engine.recipes import EXAMPLES_DIR

    profile = profile_from({}, "empty")
    assert profile == ServiceProfile(source="empty")
    go = load_profile(EXAMPLES_DIR / "go-user-api" / "profile.toml")
    assert go.knob_env({knob: "1" for knob in KNOBS})  # raises for a missing one


def test_a_profile_without_a_variable_for_a_knob_the_suite_sets_is_refused_naming_it(tmp_path):
    profile = _profile('[user_api.knobs]\nrate_limit_requests = "RL"\n', tmp_path)
    with pytest.raises(ConfigError, match="'rate_limit_window_s'"):
        profile.require_knobs()
    assert ServiceProfile().require_knobs() == ServiceProfile()


@pytest.mark.parametrize("knob, value, unit, written", [
    ("db_pool_max", 2.0, None, "2"), ("db_pool_min", "1", None, "1"),
    ("db_pool_timeout_s", 0.5, None, "0.5"), ("db_pool_timeout_s", 1.0, None, "1"),
    ("db_pool_timeout_s", 0.5, "ms", "500"), ("db_pool_timeout_s", 0.5, "duration", "500ms"),
    ("rate_limit_window_s", "10", "duration", "10s"), ("db_statement_timeout_ms", 30000, None, "30000"),
    ("db_statement_timeout_ms", 30000, "s", "30"), ("db_statement_timeout_ms", 1500, "duration", "1500ms"),
    ("db_pool_max", "not-a-number", None, "not-a-number"),
])
def test_a_knob_is_written_as_a_whole_count_or_a_time_in_its_unit(knob, value, unit, written):
    assert spelled(knob, value, unit) == written


def test_a_profile_gives_a_time_knob_its_unit_and_the_environment_is_written_in_it(tmp_path):
    profile = _profile('[user_api.knobs]\ndb_pool_max = "POOL_SIZE"\n'
                       'db_pool_timeout_s = { variable = "POOL_WAIT_MS", unit = "ms" }\n'
                       'auth_cache_s = { variable = "TOKEN_CACHE" }\n', tmp_path)
    assert profile.knobs == {"db_pool_max": "POOL_SIZE", "db_pool_timeout_s": "POOL_WAIT_MS",
                             "auth_cache_s": "TOKEN_CACHE"}
    assert profile.knob_env({"db_pool_max": 2, "db_pool_timeout_s": 0.5, "auth_cache_s": "2"}) == {
        "POOL_SIZE": "2", "POOL_WAIT_MS": "500", "TOKEN_CACHE": "2"}

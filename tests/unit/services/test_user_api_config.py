import pytest

from services.common.settings import SettingError
from services.user_api.config import load_config

BASE = {"DATABASE_URL": "postgresql://u:p@db/users", "REDIS_URL": "redis://cache:6379/0",
        "JWT_SECRET": "s" * 32, "AUTH_SERVICE_URL": "http://auth:8080"}


def test_the_required_variables_alone_give_the_documented_defaults():
    config = load_config(BASE)
    assert (config.db_pool_max, config.page_size_max, config.jwt_leeway_seconds) == (10, 200, 5)
    assert config.regressions == frozenset()


@pytest.mark.parametrize("env, message", [
    ({"DATABASE_URL": None}, "DATABASE_URL is required"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL='mysql://x': must be a URL starting with postgresql://"),
    ({"JWT_SECRET": "short"}, "JWT_SECRET=***: must be at least 32 characters"),
    ({"DB_POOL_MAX": "many"}, "DB_POOL_MAX='many': must be an integer from 1 to 1000"),
    ({"DB_POOL_MAX": "0"}, "DB_POOL_MAX='0': must be an integer from 1 to 1000"),
    ({"DB_POOL_MIN": "20"}, "DB_POOL_MIN=20: must not exceed DB_POOL_MAX=10"),
    ({"AUTH_TIMEOUT_SECONDS": "-1"}, "AUTH_TIMEOUT_SECONDS='-1': must be a number of seconds above 0"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD': must be one of DEBUG, INFO, WARNING, ERROR"),
    ({"REGRESSIONS": "n_plus_one,typo"}, "unknown 'typo'; known: connection_leak, n_plus_one, unpaginated"),
])
def test_a_bad_variable_is_one_line_naming_it_and_the_rule(env, message):
    merged = {k: v for k, v in {**BASE, **env}.items() if v is not None}
    with pytest.raises(SettingError) as err:
        load_config(merged)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_secret_is_never_echoed_in_an_error():
    with pytest.raises(SettingError) as err:
        load_config({**BASE, "JWT_SECRET": "hunter2"})
    assert "hunter2" not in str(err.value)


def test_regressions_are_a_comma_separated_set():
    config = load_config({**BASE, "REGRESSIONS": " n_plus_one , connection_leak"})
    assert config.has_regression("n_plus_one") and config.has_regression("connection_leak")

"""`python -m services.auth_api`: serve; a bad configuration is one line and exit 2."""

import sys

from ..common.logs import setup_logging
from ..common.startup import config_or_exit
from .app import create_app, load_config


def main() -> int:
    config = config_or_exit(load_config, "auth-api")
    setup_logging(config.log_level)
    import uvicorn

    uvicorn.run(create_app(config), host="0.0.0.0", port=config.port, loop="uvloop", http="httptools",
                log_config=None, access_log=False, timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())

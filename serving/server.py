"""Run the app under uvicorn, refusing unsafe binds and turning a failed start into a clear error."""

from __future__ import annotations

import logging

from serving.settings import Settings


def serve(settings: Settings) -> int:
    """Serve until interrupted; raise ValueError (the message says what to fix) if the server cannot start."""
    import uvicorn

    from serving.app import create_app

    settings.check_bind()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings, reload_on_sighup=True)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level=settings.log_level, lifespan="on")
    try:
        uvicorn.Server(config).run()
    except SystemExit:
        error = getattr(app.state, "startup_error", None)
        if error is not None:
            raise ValueError(str(error)) from None
        raise
    error = getattr(app.state, "startup_error", None)
    if error is not None:
        raise ValueError(str(error))
    return 0

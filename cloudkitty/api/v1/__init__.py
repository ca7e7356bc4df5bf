"""v1 API (pecan + WSME)."""


def get_app():
    from cloudkitty.api.v1 import app
    return app.setup_app()

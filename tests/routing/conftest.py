"""Routing tests keep their Parquet files in a folder of their own and start with no
cached VRP index, bogon list or relationships."""

import pytest


@pytest.fixture(autouse=True)
def routing_data_dir(request, tmp_path):
    from isoc.routing import store

    store.clear_cache()
    if "settings" in request.fixturenames or request.node.get_closest_marker("django_db"):
        settings = request.getfixturevalue("settings")
        settings.DATA_DIR = tmp_path
    yield tmp_path
    store.clear_cache()

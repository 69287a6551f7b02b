"""Body size limits: the app's for every request, raised only for the views that take recordings."""

from __future__ import annotations

from flask.testing import FlaskClient

from hotline.triage.spoken_reply_views import UPLOAD_LIMIT

TWO_MIB = b"x" * (2 * 2**20)  # over the default limit (1 MiB), under the recordings' (16 MiB)


def test_a_body_over_the_limit_is_refused_before_anything_reads_it(client: FlaskClient) -> None:
    response = client.post("/console/login", data=TWO_MIB, content_type="application/octet-stream")
    assert response.status_code == 413


def test_the_views_that_take_recordings_accept_larger_bodies(client: FlaskClient) -> None:
    for path in ("/console/reports/1/spoken-reply/recording", "/console/studio/si/notice/recordings"):
        response = client.post(path, data=TWO_MIB, content_type="application/octet-stream")
        assert response.status_code != 413, path  # refused later, as anyone not signed in is
    assert len(TWO_MIB) < UPLOAD_LIMIT
    over = b"x" * (UPLOAD_LIMIT + 1)
    response = client.post("/console/reports/1/spoken-reply/recording", data=over,
                           content_type="application/octet-stream")
    assert response.status_code == 413

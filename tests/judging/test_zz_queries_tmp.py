import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.judging import workspace_scenario
from tests.judging.test_workspace_views import case_url, score_data

@pytest.mark.django_db
def test_print(client):
    s = workspace_scenario.build()
    client.force_login(s.judge.user)
    with CaptureQueriesContext(connection) as c1:
        client.get(case_url(s))
    with CaptureQueriesContext(connection) as c2:
        r = client.post(case_url(s), score_data(s, "8", "6", "10", action="submit"))
    assert r.status_code == 302
    with CaptureQueriesContext(connection) as c3:
        client.get(r["Location"])
    for name, c in (("GET", c1), ("POST", c2), ("REDIRECT GET", c3)):
        print(f"===== {name} {len(c.captured_queries)}")
        for q in c.captured_queries:
            print("  ", q["sql"][:300])

"""Prints the metric names that the chart's PrometheusRule and Grafana dashboard reference,
one per line, as rendered by `helm template` with monitoring enabled."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chart"))
import chart_support as cs  # noqa: E402
import test_chart_monitoring as monitoring  # noqa: E402


def referenced_names():
    objects = cs.render(cs.VARIANTS["monitoring"])
    expressions = []
    for rule in cs.find(objects, "PrometheusRule", "vtguard"):
        for group in rule["spec"]["groups"]:
            expressions += [alert["expr"] for alert in group["rules"]]
    for configmap in cs.find(objects, "ConfigMap", "vtguard-dashboard"):
        dashboard = json.loads(configmap["data"]["vtguard.json"])
        for panel in dashboard["panels"]:
            expressions += [target["expr"] for target in panel.get("targets", [])]
    if not expressions:
        raise SystemExit("the chart rendered no PrometheusRule or dashboard expressions")
    names = set()
    for expr in expressions:
        names |= monitoring.metric_names(expr.replace("$__rate_interval", "5m"))
    return sorted(names)


if __name__ == "__main__":
    print("\n".join(referenced_names()))

"""Checks that alerts and dashboard panels use only metrics and labels that vtguard exports."""

import json
import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

# Metric name -> labels, as the operator and the webhook export them (the interface contract).
# NOTE: written down by hand for the label checks; the end-to-end test (e2e_test) checks the
# referenced names against a real scrape of both binaries' /metrics.
CONTRACT_METRICS = {
    "vtguard_webhook_admission_requests_total": {"kind", "operation", "result"},
    "vtguard_webhook_admission_duration_seconds": {"kind"},
    "vtguard_webhook_admission_denials_total": {"kind"},
    "vtguard_webhook_patches_total": {"kind"},
    "vtguard_webhook_certificate_reloads_total": {"result"},
    "vtguard_webhook_request_errors_total": {"reason"},
    "vtguard_webhook_ready": set(),
    "vtguard_certificate_expiration_timestamp_seconds": {"namespace", "name", "cluster", "component"},
    "vtguard_certificate_ready_status": {"namespace", "name", "condition"},
    "vtguard_certificate_renewal_timestamp_seconds": {"namespace", "name", "cluster", "component"},
    "vtguard_rotation_phase": {"namespace", "cluster"},
    "vtguard_reconcile_total": {"controller", "result"},
    "vtguard_reconcile_duration_seconds": {"controller"},
    "vtguard_audit_violations": {"namespace", "cluster"},
    "vtguard_operator_leader": set(),
}
HISTOGRAMS = {"vtguard_webhook_admission_duration_seconds", "vtguard_reconcile_duration_seconds"}
# Labels that Prometheus adds to every scraped series (namespace comes from the target where
# the metric has none of its own), plus `le` of histogram buckets.
TARGET_LABELS = {"namespace", "pod", "service", "job", "instance", "endpoint", "container"}

PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan",
}


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def metric_names(expr):
    """Returns every metric name in a PromQL expression (functions, keywords and label
    names are left out)."""
    expr = strip_strings(expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        word = match.group(0)
        rest = expr[match.end():].lstrip()
        if rest.startswith("(") or word.lower() in PROMQL_WORDS or word.startswith("$"):
            continue
        if expr[match.start() - 1:match.start()] == "$":
            continue
        names.add(word)
    return names


def label_names(expr):
    """Returns the label names used in matchers and in by/without/on/ignoring clauses."""
    expr = strip_strings(expr)
    labels = set()
    for matchers in re.findall(r"\{([^}]*)\}", expr):
        labels |= set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    for group in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        labels |= {label.strip() for label in group.split(",") if label.strip()}
    return labels


def base_name(metric):
    for suffix in ("_bucket", "_sum", "_count"):
        if metric.endswith(suffix) and metric[: -len(suffix)] in HISTOGRAMS:
            return metric[: -len(suffix)]
    return metric


class PromqlParsing(unittest.TestCase):
    def test_metric_names_skip_functions_and_labels(self):
        expr = ('histogram_quantile(0.99, sum by (le, kind) (rate('
                'vtguard_webhook_admission_duration_seconds_bucket{kind="Pod"}[5m]))) > 0.5 '
                'and on(kind) vtguard_webhook_ready or vector(0)')
        self.assertEqual(metric_names(expr),
                         {"vtguard_webhook_admission_duration_seconds_bucket", "vtguard_webhook_ready"})
        self.assertEqual(label_names(expr), {"le", "kind"})

    def test_unknown_metric_is_reported(self):
        names = {base_name(m) for m in metric_names("vtguard_certificate_expiry_seconds < 3")}
        self.assertEqual(names - CONTRACT_METRICS.keys(), {"vtguard_certificate_expiry_seconds"})


class MonitoringObjects(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = cs.render(cs.VARIANTS["monitoring"])

    def check_expression(self, expr, where):
        metrics = {base_name(m) for m in metric_names(expr)}
        self.assertTrue(metrics, f"{where}: no metric in {expr!r}")
        unknown = metrics - CONTRACT_METRICS.keys()
        self.assertEqual(unknown, set(), f"{where}: unknown metrics in {expr!r}")
        allowed = set().union(*(CONTRACT_METRICS[m] for m in metrics)) | TARGET_LABELS | {"le"}
        self.assertEqual(label_names(expr) - allowed, set(), f"{where}: unknown labels in {expr!r}")

    def rules(self):
        rule = cs.find(self.objects, "PrometheusRule", "vtguard")[0]
        for group in rule["spec"]["groups"]:
            for alert in group["rules"]:
                yield alert

    def test_rule_expressions_use_contract_metrics(self):
        for alert in self.rules():
            with self.subTest(alert=alert["alert"]):
                self.check_expression(alert["expr"], alert["alert"])

    def test_rules_cover_the_required_alerts(self):
        expected = {
            "VtguardCertificateExpiringSoon", "VtguardCertificateNotReady", "VtguardRotationStuck",
            "VtguardWebhookErrors", "VtguardWebhookSlow", "VtguardAuditViolations",
            "VtguardOperatorNoLeader",
        }
        names = {alert["alert"] for alert in self.rules()}
        self.assertLessEqual(expected, names)
        for alert in self.rules():
            self.assertIn(alert["labels"]["severity"], ("warning", "critical"))
            self.assertTrue(alert["annotations"]["summary"])

    def test_expiry_threshold_follows_values(self):
        values = {"monitoring": {"prometheusRule": {"enabled": True, "certificateExpiryDays": 10,
                                                    "rotationStuckHours": 3}}}
        rule = cs.find(cs.render(values), "PrometheusRule")[0]
        exprs = {a["alert"]: a["expr"] for g in rule["spec"]["groups"] for a in g["rules"]}
        self.assertIn("< 10 * 86400", exprs["VtguardCertificateExpiringSoon"])
        self.assertIn("[3h]", exprs["VtguardRotationStuck"])

    def test_dashboard_uses_contract_metrics(self):
        configmap = cs.find(self.objects, "ConfigMap", "vtguard-dashboard")[0]
        self.assertEqual(configmap["metadata"]["labels"]["grafana_dashboard"], "1")
        dashboard = json.loads(configmap["data"]["vtguard.json"])
        titles = {panel["title"] for panel in dashboard["panels"]}
        for title in ("Days until certificate expiry", "Rotation phase", "Admission requests",
                      "Admission latency", "Denials"):
            self.assertIn(title, titles)
        targets = [t for p in dashboard["panels"] for t in p.get("targets", [])]
        self.assertGreater(len(targets), 5)
        for target in targets:
            with self.subTest(expr=target["expr"]):
                self.check_expression(target["expr"].replace("$__rate_interval", "5m"), "dashboard")

    def test_service_monitor_scrapes_both_metrics_services(self):
        monitor = cs.find(self.objects, "ServiceMonitor", "vtguard")[0]
        self.assertEqual([e["port"] for e in monitor["spec"]["endpoints"]], ["metrics"])
        selector = {e["key"]: set(e["values"]) for e in monitor["spec"]["selector"]["matchExpressions"]}
        scraped = [s for s in cs.find(self.objects, "Service")
                   if all(s["metadata"]["labels"].get(k) in v for k, v in selector.items())]
        self.assertEqual(sorted(s["metadata"]["name"] for s in scraped),
                         ["vtguard-operator-metrics", "vtguard-webhook"])
        for service in scraped:
            self.assertIn("metrics", [p["name"] for p in service["spec"]["ports"]])


if __name__ == "__main__":
    unittest.main(verbosity=1)

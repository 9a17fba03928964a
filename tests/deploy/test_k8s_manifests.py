"""The Kubernetes manifests (deploy/k8s/): valid against the Kubernetes API schemas, and consistent.

Core kinds (Deployment, Service, ConfigMap, Secret, PodDisruptionBudget) are
checked with ``kubernetes-validate`` (the API's OpenAPI schemas, shipped in
the package, so no network).  The operators' kinds (KEDA ScaledObject, Strimzi
Kafka/KafkaNodePool/KafkaTopic, Altinity ClickHouseInstallation and
ClickHouseKeeperInstallation) have no schema in that package and their CRDs
are not on PyPI, so they are not schema-checked; instead the tests below check
what ties them to the workloads: names, topic, group, partitions, cluster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.store.store_url import parse_url
from tests.paths import DEPLOY

K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.30.0"
OPERATOR_KINDS = {"ScaledObject", "Kafka", "KafkaNodePool", "KafkaTopic", "ClickHouseInstallation",
                  "ClickHouseKeeperInstallation"}


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def every_document() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{path.relative_to(K8S)}#{doc['kind']}/{doc['metadata']['name']}", doc)
            for path in sorted(K8S.rglob("*.yaml")) if path.name != "kustomization.yaml" for doc in documents(path)]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in every_document() if doc["kind"] == kind}


@pytest.mark.parametrize(("where", "doc"), [item for item in every_document() if item[1]["kind"] not in OPERATOR_KINDS],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_core_kinds_validate_against_the_kubernetes_schema(where: str, doc: dict[str, Any]) -> None:
    import kubernetes_validate

    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{where}: {exc.message} at {'.'.join(str(p) for p in exc.path)}")


def test_every_kind_is_known() -> None:
    kinds = {doc["kind"] for _, doc in every_document()}
    assert kinds - OPERATOR_KINDS == {"ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service"}
    assert kinds & OPERATOR_KINDS == OPERATOR_KINDS


def test_kustomization_lists_the_workloads_but_not_the_secret_example() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == ["config.yaml", "web.yaml", "worker-autoscaling.yaml", "worker.yaml"]
    assert all((K8S / name).exists() for name in kustomization["resources"])


def test_autoscaling_follows_the_workers_lag_and_stops_at_the_partition_count() -> None:
    config = by_kind("ConfigMap")["cckpi-config"]["data"]
    scaled = by_kind("ScaledObject")["cckpi-worker"]["spec"]
    assert scaled["scaleTargetRef"]["name"] in by_kind("Deployment")
    trigger = scaled["triggers"][0]
    assert trigger["type"] == "kafka"
    meta = trigger["metadata"]
    assert meta["bootstrapServers"] == config["CCKPI_KAFKA_BOOTSTRAP"]
    assert meta["consumerGroup"] == config["CCKPI_CONSUMER_GROUP"]
    assert meta["topic"] == f"{config['CCKPI_TOPIC_PREFIX']}.events"
    topic = by_kind("KafkaTopic")[meta["topic"]]["spec"]
    assert scaled["maxReplicaCount"] == topic["partitions"] == int(config["CCKPI_TOPIC_PARTITIONS"])
    assert topic["replicas"] == int(config["CCKPI_TOPIC_REPLICATION"]) == 3
    assert topic["config"]["min.insync.replicas"] == 2
    assert by_kind("Kafka")["cckpi"]["spec"]["kafka"]["config"]["min.insync.replicas"] == 2


def test_workloads_take_their_secrets_from_the_secret_and_the_rest_from_the_config() -> None:
    secret_keys = set(by_kind("Secret")["cckpi-secrets"]["stringData"])
    for name, command in (("cckpi-worker", "worker"), ("cckpi-web", "serve")):
        container = by_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["args"][0] == command
        assert container["envFrom"] == [{"configMapRef": {"name": "cckpi-config"}}]
        for item in container["env"]:
            ref = item["valueFrom"]["secretKeyRef"]
            assert (ref["name"], ref["key"]) == ("cckpi-secrets", item["name"])
            assert item["name"] in secret_keys


def test_store_urls_name_every_replica_and_the_operators_cluster() -> None:
    secret = by_kind("Secret")["cckpi-secrets"]["stringData"]
    chi = by_kind("ClickHouseInstallation")["cckpi"]["spec"]["configuration"]
    cluster = chi["clusters"][0]
    writer = parse_url(secret["CCKPI_STORE_URL"])
    assert writer.cluster == cluster["name"]
    assert len(writer.hosts) == cluster["layout"]["replicasCount"] * cluster["layout"]["shardsCount"]
    assert dict(writer.settings)["insert_quorum"] == 2
    assert parse_url(secret["CCKPI_WALLBOARD_STORE_URL"]).user == "cckpi_wallboard"


def test_the_checker_rejects_a_broken_copy() -> None:
    """The schema check is not a no-op: a typo'd field and a wrong type both fail."""
    import copy

    import kubernetes_validate

    worker = by_kind("Deployment")["cckpi-worker"]
    typo = copy.deepcopy(worker)
    typo["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRefs"] = {"name": "x"}
    wrong_type = copy.deepcopy(worker)
    wrong_type["spec"]["replicas"] = "two"
    for broken in (typo, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)

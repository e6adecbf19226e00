"""Drives the official MLflow Python client's artifact calls against a tracking server whose artifacts live in S3.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:<port> MLFLOW_S3_ENDPOINT_URL=... \
         python mlflow_s3_script.py <proxied|direct> <scratch dir> <bucket> <prefix>

`proxied`: the server runs with `--artifacts-destination s3://<bucket>/<prefix>`; the client sees
`mlflow-artifacts:/` URIs and sends bytes through the server, large files as a proxied multipart upload
(set MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true in the client, or on a server that then says so in server-info,
and lower MLFLOW_MULTIPART_UPLOAD_* so 12 MB takes that path).
`direct`: the server runs with `--no-serve-artifacts --default-artifact-root s3://<bucket>/<prefix>`; the
client writes and reads S3 itself through boto3.

Run against Cairn's server and against `mlflow server` by apps/server/src/interop.mlflow-python-s3.test.ts,
so the script is proven against MLflow. Every byte is compared, and every object is looked up in the bucket
with boto3. Prints `INTEROP S3 OK` last when every check passed.
"""

import hashlib
import os
import sys
import uuid

import boto3
import mlflow
import requests
from mlflow import MlflowClient
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

MEBIBYTE = 1024 * 1024


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok - {what}")


def pattern(size, seed):
    """Deterministic bytes that differ at every offset and between seeds."""
    block = hashlib.sha256(str(seed).encode()).digest()
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(block + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:size])


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def main(mode, scratch, bucket, prefix):
    s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"])
    client = MlflowClient()
    experiment_id = mlflow.create_experiment(f"s3-{mode}-{uuid.uuid4().hex[:8]}")
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    artifact_uri = run.info.artifact_uri
    if mode == "proxied":
        check(artifact_uri == f"mlflow-artifacts:/{experiment_id}/{run_id}/artifacts", "a proxied artifact URI")
    else:
        check(
            artifact_uri == f"s3://{bucket}/{prefix}/{experiment_id}/{run_id}/artifacts",
            f"a direct s3:// artifact URI ({artifact_uri})",
        )
    key_root = f"{prefix}/{experiment_id}/{run_id}/artifacts"

    # The tree: nested directories, a name with spaces and unicode, an empty file.
    tree = {
        "a.txt": b"alpha",
        "sub dir/\u00fcn\u00efc\u00f8d\u00e9 \u2713.txt": "h\u00e9llo w\u00f6rld".encode(),
        "deep/x/y.bin": pattern(300_000, 1),
        "empty.txt": b"",
    }
    upload_dir = os.path.join(scratch, "upload", "tree")
    for relative, data in tree.items():
        write(os.path.join(upload_dir, relative), data)
    single = os.path.join(scratch, "upload", "single.bin")
    write(single, pattern(70_000, 2))
    big = os.path.join(scratch, "upload", "big.bin")
    big_bytes = pattern(12 * MEBIBYTE + 4321, 3)
    write(big, big_bytes)

    client.log_artifact(run_id, single)
    client.log_artifacts(run_id, upload_dir, "tree")
    client.log_artifact(run_id, big, "large")

    # Every object is in the bucket under the run's prefix, byte for byte.
    for relative, data in tree.items():
        body = s3.get_object(Bucket=bucket, Key=f"{key_root}/tree/{relative}")["Body"].read()
        check(body == data, f"s3 holds tree/{relative} ({len(data)} bytes)")
    check(s3.get_object(Bucket=bucket, Key=f"{key_root}/single.bin")["Body"].read() == read(single), "s3 holds single.bin")
    head = s3.head_object(Bucket=bucket, Key=f"{key_root}/large/big.bin")
    check(head["ContentLength"] == len(big_bytes), "s3 holds large/big.bin whole")
    if mode == "proxied":
        # 12 MB in 5 MiB chunks: a proxied multipart upload of 3 presigned parts, not one PUT.
        check(head["ETag"].strip('"').endswith("-3"), f"large/big.bin went up in 3 parts (ETag {head['ETag']})")

    listed = {(f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id)}
    check(
        listed == {("single.bin", False, 70_000), ("tree", True, None), ("large", True, None)},
        f"list_artifacts at the root ({sorted(listed, key=str)})",
    )
    listed = {(f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id, "tree")}
    # Through the proxy an empty file has no size (proto JSON drops a zero); boto3's listing says 0.
    empty_size = None if mode == "proxied" else 0
    check(
        listed
        == {
            ("tree/a.txt", False, 5),
            ("tree/sub dir", True, None),
            ("tree/deep", True, None),
            ("tree/empty.txt", False, empty_size),
        },
        f"list_artifacts of tree ({sorted(listed, key=str)})",
    )
    listed = [f.path for f in client.list_artifacts(run_id, "tree/sub dir")]
    check(listed == ["tree/sub dir/\u00fcn\u00efc\u00f8d\u00e9 \u2713.txt"], f"list_artifacts of 'sub dir' ({listed})")
    check(client.list_artifacts(run_id, "absent") == [], "list_artifacts of a missing directory is empty")

    downloaded = mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path="tree", dst_path=os.path.join(scratch, "download")
    )
    for relative, data in tree.items():
        check(read(os.path.join(downloaded, relative)) == data, f"download_artifacts returns tree/{relative}")
    whole = mlflow.artifacts.download_artifacts(
        artifact_uri=f"runs:/{run_id}/large/big.bin", dst_path=os.path.join(scratch, "download-big")
    )
    check(
        hashlib.sha256(read(whole)).hexdigest() == hashlib.sha256(big_bytes).hexdigest(),
        "download_artifacts returns large/big.bin byte-equal",
    )
    every = client.download_artifacts(run_id, "", os.path.join(scratch, "download-all"))
    check(read(os.path.join(every, "single.bin")) == read(single), "download of the whole run has single.bin")

    if mode == "proxied":
        # The client's abort path: start a multipart upload, send one part, abort. No object, no open upload.
        repo = get_artifact_repository(artifact_uri)
        # How the client chose to send the 12 MB file: by its own MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD when set,
        # else by the multipart_uploads_enabled of the server's /api/3.0/mlflow/server-info.
        check(repo._should_multipart_upload(big), "the client sends 12 MB as a multipart upload")
        aborted = os.path.join(scratch, "upload", "aborted.bin")
        write(aborted, pattern(6 * MEBIBYTE, 4))
        created = repo.create_multipart_upload(aborted, 2, "aborted")
        check(len(created.credentials) == 2 and created.upload_id, "mpu/create answers an upload id and 2 part URLs")
        part = requests.put(created.credentials[0].url, data=read(aborted)[: 5 * MEBIBYTE])
        check(part.status_code == 200 and part.headers.get("ETag"), "a presigned part URL takes a part")
        repo.abort_multipart_upload(aborted, created.upload_id, "aborted")
        uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=f"{key_root}/aborted/").get("Uploads", [])
        check(uploads == [], "abort leaves no open multipart upload")
        objects = s3.list_objects_v2(Bucket=bucket, Prefix=f"{key_root}/aborted/").get("KeyCount", 0)
        check(objects == 0, "abort leaves no object")
        check(client.list_artifacts(run_id, "aborted") == [], "the aborted file is not listed")

    print("INTEROP S3 OK")


if __name__ == "__main__":
    main(*sys.argv[1:5])

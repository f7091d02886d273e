"""A small authoritative DNS server for the lab: the VPC resolver's answers for Cloud Map names.

    python -m tools.conformance.node_lab.dns --listen 198.18.0.9:53 --zone records.json
    python -m tools.conformance.node_lab.dns --listen 198.18.0.9:53 --cloud-map http://198.18.0.8:5000 \
        --region eu-west-1

With --zone, `{"shop.shop-dev.internal": ["198.18.0.1", ...]}` is read on every query
(the lab edits it to register and deregister). With --cloud-map, the names and addresses
are those registered in the emulated Cloud Map (moto's servicediscovery): every private
DNS namespace, every service in it, every instance's AWS_INSTANCE_IPV4, as Route 53
answers for a Cloud Map service with multivalue routing (at most eight, as there).

A records over UDP only, which is all dns_cluster and :inet_res ask for here: any other
type of a known name gets an empty answer, an unknown name NXDOMAIN.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import struct
import sys
import time
from collections.abc import Callable
from ipaddress import IPv4Address
from pathlib import Path

TYPE_A = 1
CLASS_IN = 1
TTL_SECONDS = 1
"""Short, so a deregistered node drops out of the answers at once."""

MULTIVALUE_ANSWER_LIMIT = 8
"""Route 53 returns at most eight healthy records for a multivalue answer."""

CLOUD_MAP_CACHE_SECONDS = 1.0

Records = dict[str, list[str]]


def parse_question(packet: bytes) -> tuple[int, int, str, int, int]:
    """(id, flags, name, type, end of the question) of a query with one question."""
    ident, flags, questions = struct.unpack("!HHH", packet[:6])
    if questions != 1:
        raise ValueError(f"{questions} questions")
    labels, offset = [], 12
    while (length := packet[offset]) != 0:
        if length >= 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(packet[offset + 1 : offset + 1 + length].decode("ascii"))
        offset += 1 + length
    qtype, _qclass = struct.unpack("!HH", packet[offset + 1 : offset + 5])
    return ident, flags, ".".join(labels).lower(), qtype, offset + 5


def answer(packet: bytes, records: Records) -> bytes:
    """The response to one query packet."""
    ident, flags, name, qtype, end = parse_question(packet)
    question = packet[12:end]
    known = name in records
    addresses = records.get(name, []) if qtype == TYPE_A else []
    if len(addresses) > MULTIVALUE_ANSWER_LIMIT:
        addresses = random.sample(addresses, MULTIVALUE_ANSWER_LIMIT)
    rcode = 0 if known else 3  # NXDOMAIN
    response_flags = 0x8000 | 0x0400 | (flags & 0x0100) | rcode  # response, authoritative, RD copied
    header = struct.pack("!HHHHHH", ident, response_flags, 1, len(addresses), 0, 0)
    body = b"".join(
        struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, TTL_SECONDS, 4) + IPv4Address(a).packed for a in addresses
    )
    return header + question + body


def zone_file(path: Path) -> Callable[[], Records]:
    """Records read from a JSON file at each query; a missing file is an empty zone."""

    def read() -> Records:
        try:
            return {name.lower().rstrip("."): list(ips) for name, ips in json.loads(path.read_text()).items()}
        except FileNotFoundError:
            return {}

    return read


def cloud_map(endpoint: str, region: str) -> Callable[[], Records]:
    """Records from the emulated Cloud Map at `endpoint`, cached for a second."""
    import boto3  # only this source needs it; the zone-file server stays dependency-free

    # Credentials from the environment: the lab's administrator once IAM checks are on.
    client = boto3.client("servicediscovery", endpoint_url=endpoint, region_name=region)
    cache: dict[str, tuple[float, Records]] = {}

    def read() -> Records:
        cached = cache.get("records")
        if cached and time.monotonic() - cached[0] < CLOUD_MAP_CACHE_SECONDS:
            return cached[1]
        records = _cloud_map_records(client)
        cache["records"] = (time.monotonic(), records)
        return records

    return read


def _cloud_map_records(client) -> Records:
    records: Records = {}
    domains = {n["Id"]: n["Name"] for n in client.list_namespaces()["Namespaces"]}
    for service in client.list_services()["Services"]:
        namespace_id = client.get_service(Id=service["Id"])["Service"].get("NamespaceId")
        if namespace_id not in domains:
            continue
        instances = client.list_instances(ServiceId=service["Id"])["Instances"]
        name = f"{service['Name']}.{domains[namespace_id]}".lower()
        records[name] = [
            i["Attributes"]["AWS_INSTANCE_IPV4"] for i in instances if "AWS_INSTANCE_IPV4" in i["Attributes"]
        ]
    return records


def serve(listen: tuple[str, int], records: Callable[[], Records], ready: Path | None = None) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(listen)
        if ready:
            ready.write_text("listening\n")
        while True:
            packet, client = server.recvfrom(512)
            try:
                server.sendto(answer(packet, records()), client)
            except (ValueError, IndexError, struct.error) as malformed:
                print(f"dns: ignored a query from {client[0]}: {malformed}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="address:port")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--zone", type=Path, help="JSON file: name -> list of IPv4 addresses")
    source.add_argument("--cloud-map", metavar="ENDPOINT", help="moto server URL to read Cloud Map from")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--ready", type=Path, help="file written once the socket listens")
    args = parser.parse_args(argv)
    host, port = args.listen.rsplit(":", 1)
    records = zone_file(args.zone) if args.zone else cloud_map(args.cloud_map, args.region)
    serve((host, int(port)), records, args.ready)
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Test helper: calls a server with gRPC C-core (Debian's python3-grpcio) and prints each outcome
# as JSON. Argument 1: target host:port; argument 2: a JSON list of calls
# {path, request (hex), streaming?, timeout?, metadata?: [[key, value]]}.
import json
import sys

import grpc


def main() -> None:
    target, calls = sys.argv[1], json.loads(sys.argv[2])
    outcomes = []
    with grpc.insecure_channel(target) as channel:
        for call in calls:
            request = bytes.fromhex(call["request"])
            kwargs = {"timeout": call.get("timeout", 5), "metadata": [tuple(m) for m in call.get("metadata", [])]}
            try:
                if call.get("streaming"):
                    responses = [r.hex() for r in channel.unary_stream(call["path"])(request, **kwargs)]
                else:
                    responses = [channel.unary_unary(call["path"])(request, **kwargs).hex()]
                outcomes.append({"code": "OK", "responses": responses})
            except grpc.RpcError as error:
                outcomes.append({"code": error.code().name, "details": error.details()})
    print(json.dumps(outcomes))


main()

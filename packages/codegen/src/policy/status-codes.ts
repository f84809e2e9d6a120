// Maps sluice.v1.StatusCode values to the names of Connect's `Code` enum members, reporting
// STATUS_CODE_UNSPECIFIED and unknown numbers.
import { StatusCode } from "../gen/sluice/v1/options_pb.js";
import type { Report } from "./problems.js";

const connectNames: Readonly<Record<number, string>> = {
  [StatusCode.CANCELED]: "Canceled",
  [StatusCode.UNKNOWN]: "Unknown",
  [StatusCode.INVALID_ARGUMENT]: "InvalidArgument",
  [StatusCode.DEADLINE_EXCEEDED]: "DeadlineExceeded",
  [StatusCode.NOT_FOUND]: "NotFound",
  [StatusCode.ALREADY_EXISTS]: "AlreadyExists",
  [StatusCode.PERMISSION_DENIED]: "PermissionDenied",
  [StatusCode.RESOURCE_EXHAUSTED]: "ResourceExhausted",
  [StatusCode.FAILED_PRECONDITION]: "FailedPrecondition",
  [StatusCode.ABORTED]: "Aborted",
  [StatusCode.OUT_OF_RANGE]: "OutOfRange",
  [StatusCode.UNIMPLEMENTED]: "Unimplemented",
  [StatusCode.INTERNAL]: "Internal",
  [StatusCode.UNAVAILABLE]: "Unavailable",
  [StatusCode.DATA_LOSS]: "DataLoss",
  [StatusCode.UNAUTHENTICATED]: "Unauthenticated",
};

/**
 * Converts a list of status codes to Connect `Code` member names (duplicates dropped, order
 * kept); reports `field` for STATUS_CODE_UNSPECIFIED and for numbers that name no code.
 */
export function toConnectCodes(codes: readonly StatusCode[], field: string, report: Report): string[] {
  const names: string[] = [];
  for (const code of codes) {
    const name = connectNames[code];
    if (code === StatusCode.UNSPECIFIED) {
      report(field, "must not contain STATUS_CODE_UNSPECIFIED (accepted: STATUS_CODE_CANCELED .. STATUS_CODE_UNAUTHENTICATED)");
    } else if (name === undefined) {
      report(field, `contains unknown status code ${code} (accepted: 1 to 16)`);
    } else if (!names.includes(name)) {
      names.push(name);
    }
  }
  return names;
}

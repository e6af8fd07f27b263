import { create, createFileRegistry } from "@bufbuild/protobuf";
import type { GenService } from "@bufbuild/protobuf/codegenv2";
import {
  type EmptySchema,
  FileDescriptorProtoSchema,
  file_google_protobuf_empty,
  file_google_protobuf_wrappers,
  MethodDescriptorProtoSchema,
  type StringValueSchema,
  type UInt32ValueSchema,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { requestIdFromContext } from "../server/request-context.js";

type TestServiceShape = {
  sleep: {
    methodKind: "unary";
    input: typeof UInt32ValueSchema;
    output: typeof StringValueSchema;
  };
  echo: {
    methodKind: "unary";
    input: typeof StringValueSchema;
    output: typeof StringValueSchema;
  };
  requestId: {
    methodKind: "unary";
    input: typeof EmptySchema;
    output: typeof StringValueSchema;
  };
  fail: {
    methodKind: "unary";
    input: typeof StringValueSchema;
    output: typeof EmptySchema;
  };
};

function method(name: string, input: string, output: string) {
  return create(MethodDescriptorProtoSchema, {
    name,
    inputType: `.google.protobuf.${input}`,
    outputType: `.google.protobuf.${output}`,
  });
}

// Built at runtime from well-known types so the kit's tests need no .proto
// of their own and no other service's contract.
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "microtodo/kit/test/v1/test.proto",
    package: "microtodo.kit.test.v1",
    syntax: "proto3",
    dependency: ["google/protobuf/wrappers.proto", "google/protobuf/empty.proto"],
    service: [
      {
        name: "TestService",
        method: [
          method("Sleep", "UInt32Value", "StringValue"),
          method("Echo", "StringValue", "StringValue"),
          method("RequestId", "Empty", "StringValue"),
          method("Fail", "StringValue", "Empty"),
        ],
      },
    ],
  }),
  (file) =>
    ({
      "google/protobuf/wrappers.proto": file_google_protobuf_wrappers,
      "google/protobuf/empty.proto": file_google_protobuf_empty,
    })[file],
);

/** A small RPC service for the kit's own tests. */
export const TestService = registry.getService(
  "microtodo.kit.test.v1.TestService",
) as unknown as GenService<TestServiceShape>;

/**
 * Sleep waits `value` ms; Echo returns its input; RequestId returns the
 * request id the kit assigned; Fail throws a plain Error for "internal" and
 * ConnectError(NotFound) otherwise.
 */
export const testServiceImpl: ServiceImpl<typeof TestService> = {
  async sleep(request) {
    await new Promise((resolve) => setTimeout(resolve, request.value));
    return { value: `slept ${request.value} ms` };
  },
  echo: (request) => ({ value: request.value }),
  requestId: (_request, ctx) => ({ value: requestIdFromContext(ctx) }),
  fail(request) {
    if (request.value === "internal") throw new Error("database password is hunter2");
    throw new ConnectError(`no thing named "${request.value}"`, Code.NotFound);
  },
};

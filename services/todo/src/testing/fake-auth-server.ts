import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AuthService, LookupUsersResponseSchema, UserSchema } from "@microtodo/api/auth";
import type { JSONWebKeySet } from "jose";
import type { DirectoryUser } from "../users/user-directory.js";

/**
 * A stand-in for auth, far enough for the todo service: the JWKS at
 * /.well-known/jwks.json and AuthService.LookupUsers over a fixed table.
 */
export async function startFakeAuthServer(
  jwks: JSONWebKeySet,
  users: readonly DirectoryUser[],
): Promise<{ url: string; close(): Promise<void> }> {
  const handler = connectNodeAdapter({
    routes: (router) => {
      router.service(AuthService, {
        async lookupUsers(request) {
          const found = users.filter((user) => request.usernames.includes(user.username));
          return create(LookupUsersResponseSchema, {
            users: found.map((user) => create(UserSchema, user)),
          });
        },
      });
    },
    fallback: (request, response) => {
      if (request.url === "/.well-known/jwks.json") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(jwks));
        return;
      }
      response.writeHead(404);
      response.end();
    },
  });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

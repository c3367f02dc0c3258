package dev.parley.api;

import io.vertx.core.Future;

/** The business part of one API operation, after auth, tenant, scope and validation passed. */
@FunctionalInterface
interface Operation {
  Future<Reply> handle(ApiCall call);
}

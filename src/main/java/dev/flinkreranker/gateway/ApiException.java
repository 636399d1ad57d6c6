package dev.flinkreranker.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An HTTP error answer in vLLM's (OpenAI's) shape: {@code {"error": {"message", "type", "param",
 * "code"}}}, plus {@code reason_code} when the request was rejected with a dead-letter reason.
 */
final class ApiException extends Exception {
  final int status;
  final String param;
  final String reasonCode;

  ApiException(int status, String message, String param, String reasonCode) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
    this.reasonCode = reasonCode;
  }

  static ApiException badRequest(String message, String param) {
    return new ApiException(400, message, param, null);
  }

  ObjectNode body() {
    ObjectNode error = JsonNodeFactory.instance.objectNode();
    error.put("message", getMessage());
    error.put("type", type(status));
    error.put("param", param);
    error.put("code", status);
    if (reasonCode != null) {
      error.put("reason_code", reasonCode);
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("error", error);
    return root;
  }

  static String type(int status) {
    return switch (status) {
      case 400 -> "BadRequestError";
      case 404 -> "NotFoundError";
      case 405 -> "MethodNotAllowedError";
      case 413 -> "RequestTooLargeError";
      case 503 -> "ServiceUnavailableError";
      case 504 -> "GatewayTimeoutError";
      default -> "InternalServerError";
    };
  }
}

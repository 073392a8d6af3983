"""Errors in the API's own shape: {"error": {"message", "type", "param", "code"}}."""


class ApiError(Exception):
    def __init__(self, status, message, type_="invalid_request_error", param=None, code=None,
                 headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self):
        return {"error": {"message": self.message, "type": self.type, "param": self.param,
                          "code": self.code}}


def invalid(param, message, code=None):
    return ApiError(400, message, param=param, code=code)


# What the API says for a status when a fault gives no text of its own (messages as OpenAI words
# them, so that clients are tested against realistic bodies).
DEFAULTS = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided. You can find your API key at "
          "https://platform.openai.com/account/api-keys.", "invalid_request_error",
          "invalid_api_key"),
    403: ("Your organization must be verified to use the model. Please go to "
          "https://platform.openai.com/settings/organization/general and click on Verify "
          "Organization.", "invalid_request_error", None),
    404: ("The requested resource does not exist.", "invalid_request_error", None),
    408: ("Request timed out.", "invalid_request_error", None),
    409: ("The request conflicted with another request.", "invalid_request_error", None),
    429: ("Rate limit reached for images per minute. Please try again in 1s.", "requests",
          "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!",
          "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}


def for_status(status, overrides=None, headers=None):
    message, type_, code = DEFAULTS.get(
        status, ("HTTP error %d." % status,
                 "server_error" if status >= 500 else "invalid_request_error", None))
    o = overrides or {}
    return ApiError(status, o.get("message", message), o.get("type", type_), o.get("param"),
                    o.get("code", code), headers)

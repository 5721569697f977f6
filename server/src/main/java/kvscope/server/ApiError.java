package kvscope.server;

/**
 * A request the server refuses, with the HTTP status and the TSP {@code ErrorResponse} it answers: a title saying
 * what is wrong and a detail saying where (which parameter, which path).
 */
public final class ApiError extends RuntimeException {
    final int status;
    final String detail;

    /** The HTTP status; 4xx: the request's fault. */
    public int status() { return status; }

    /** What exactly is wrong, and where. */
    public String detail() { return detail; }

    ApiError(int status, String title, String detail) {
        super(title);
        this.status = status;
        this.detail = detail;
    }

    static ApiError badRequest(String detail) { return new ApiError(400, "Bad request", detail); }

    static ApiError forbidden(String detail) { return new ApiError(403, "Forbidden", detail); }

    static ApiError notFound(String detail) { return new ApiError(404, "Not found", detail); }

    static ApiError conflict(String detail) { return new ApiError(409, "Conflict", detail); }

    /** The JSON body: TSP's {@code ErrorResponse {title, detail}}. */
    record Body(String title, String detail) {}

    Body body() { return new Body(getMessage(), detail); }
}

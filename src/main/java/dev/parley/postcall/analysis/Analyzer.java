package dev.parley.postcall.analysis;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Scores a finished interview. The result is the InstaView {@code analysis.general} shape:
 *
 * <pre>
 * {"overallRating": 0..100 (int), "companyFitRating": "LOW" | "MEDIUM" | "HIGH",
 *  "education": string | null, "experience": string | null,
 *  "strongPoints": [string], "weakPoints": [string], "evaluation": [string]}
 * </pre>
 *
 * A failed future means the analysis failed (the server then emits {@code analysis.failed}); its
 * message is safe to show to API clients.
 */
public interface Analyzer {
  Future<JsonObject> analyze(AnalysisInput input);
}

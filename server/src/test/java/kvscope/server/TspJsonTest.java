package kvscope.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import kvscope.analysis.views.Tsp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written serialisers write byte for byte what Jackson's record serialiser writes. */
class TspJsonTest {
    private static final ObjectMapper PLAIN = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    @Test
    void statesAndStyleReferencesAreWrittenAsTheBeanSerialiserWritesThem() throws Exception {
        var styled = new Tsp.StyleRef("READ", Map.of("background-color", "#2ca02c"));
        var model = new Tsp.TimeGraph(List.of(new Tsp.Row(7, List.of(
                new Tsp.TimeGraphState(1_700_000_000_123_456_789L, 1_700_000_000_123_456_999L, "COMMAND:set", 0, Tsp.StyleRef.of("COMMAND")),
                new Tsp.TimeGraphState(1, 2, null, 3, styled),
                new Tsp.TimeGraphState(3, 4, "quote \" and ü", 0, null),
                new Tsp.TimeGraphState(5, 6, null, 0, new Tsp.StyleRef(null, Map.of()))))));
        var generic = new Json.Generic(model, "COMPLETED", "Completed");
        assertThat(Json.MAPPER.writeValueAsString(generic)).isEqualTo(PLAIN.writeValueAsString(generic));
        assertThat(Json.MAPPER.writeValueAsString(styled)).isEqualTo(PLAIN.writeValueAsString(styled));
    }
}

package ai.refinery.rephrasing;

import ai.refinery.core.outcome.Counts;
import ai.refinery.core.output.Layout;
import ai.refinery.core.output.Output;
import ai.refinery.core.stage.Stage;
import ai.refinery.core.stage.StageContext;
import ai.refinery.core.stage.StageResult;
import com.typesafe.config.Config;

import java.util.Map;

/**
 * The bios stage: a generator, so it reads no rows ({@code rows_in = 0}); {@code rows_out} is the biographies in
 * data/, and the people records go to {@link #ENTITIES}.
 */
public final class BiosStage implements Stage {
    /** The people records of a bios output: the input of the template and QA rephrasers. */
    public static final String ENTITIES = "entities";

    @Override
    public void check(Config config) {
        BiosSettings.from(config);
    }

    @Override
    public StageResult run(StageContext context) {
        BiosResult bios = BiosJob.run(context.spark(), BiosSettings.from(context.config()));
        Output out = context.output();
        out.writeParquet(Layout.DATA, bios.biographies());
        out.writeParquet(ENTITIES, bios.people());
        Map<String, Long> stats = bios.stats();
        return StageResult.of(Counts.of(0, stats.get("biographies")), stats,
                stats.get("people") + " people, " + stats.get("biographies") + " biographies");
    }
}

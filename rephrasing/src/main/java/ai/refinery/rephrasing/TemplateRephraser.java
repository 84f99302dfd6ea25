package ai.refinery.rephrasing;

import ai.refinery.core.schema.Columns;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Template rephrasing of entity records (bioS augmentations of Physics of Language Models 3.1): multiM, permute,
 * fullname. The text logic is {@link BiographyWriter}; this class only distributes it and orders the output.
 */
public final class TemplateRephraser {
    public static final String STAGE = "rephrase";

    private TemplateRephraser() {
    }

    /**
     * Biographies for every usable person: settings.multi() per person, in global shuffle order (see
     * {@link GlobalOrder} for how to write them without losing it). People rows with a null, blank or uncastable
     * value are returned in {@code rejected} with a reason.
     *
     * @param people a people table ({@link PeopleTable#SCHEMA}; extra columns are ignored)
     */
    public static RephraseResult run(SparkSession spark, Dataset<Row> people, RephraseSettings settings) {
        return run(people, settings.seed(), settings.multi(), settings.permute(), settings.fullname(),
                settings.rephraserName());
    }

    static RephraseResult run(Dataset<Row> people, long seed, int multi, boolean permute, boolean fullname,
                              String rephraser) {
        Dataset<Row> checked = PeopleTable.normalise(people).withColumn(Columns.REASON, PeopleTable.rejectReason());
        Dataset<Row> rejected = checked.where(col(Columns.REASON).isNotNull())
                .withColumn(Columns.STAGE, lit(STAGE));
        Dataset<Row> valid = checked.where(col(Columns.REASON).isNull()).drop(Columns.REASON);
        MapPartitionsFunction<Row, Row> render = rows -> {
            BiographyWriter writer = BiographyWriter.standard();
            return flatMap(rows, row -> rows(writer, PeopleTable.fromRow(row), seed, multi, permute, fullname, rephraser));
        };
        Dataset<Row> data = valid.mapPartitions(render, Encoders.row(DocumentRows.SCHEMA));
        return new RephraseResult(GlobalOrder.sort(data), rejected, people);
    }

    /** The document rows of one person (plain Java; what each Spark task runs). */
    public static List<Row> rows(BiographyWriter writer, Person person, long seed, int multi, boolean permute,
                                 boolean fullname, String rephraser) {
        List<Row> out = new ArrayList<>(multi);
        for (BiographyWriter.Biography b : writer.write(person, seed, multi, permute, fullname)) {
            String id = DocumentRows.id(person.id(), b.variant());
            out.add(RowFactory.create(id, b.text(), null, DocumentRows.SOURCE_BIOS, DocumentRows.LANG, null, person.id(),
                    rephraser, b.variant(), boxed(b.templateIds()), seed, null, GlobalOrder.key(seed, id)));
        }
        return out;
    }

    /** Spark's row encoder takes arrays (or Scala sequences) for array columns, not java.util.List. */
    static Integer[] boxed(int[] values) {
        Integer[] boxed = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    /** Lazily expands each input row into zero or more output rows. */
    static <T> Iterator<T> flatMap(Iterator<Row> input, java.util.function.Function<Row, List<T>> expand) {
        return new Iterator<>() {
            private Iterator<T> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (!input.hasNext()) {
                        return false;
                    }
                    current = expand.apply(input.next()).iterator();
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }
}

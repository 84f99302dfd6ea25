package ai.refinery.rephrasing;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

/** The people table (entity records): its schema, row conversion, and validation of rows read back. */
public final class PeopleTable {
    public static final String ID = "id";
    public static final String FULL_NAME = "full_name";
    public static final String FIRST_NAME = "first_name";
    public static final String MIDDLE_NAME = "middle_name";
    public static final String LAST_NAME = "last_name";
    public static final String GENDER = "gender";
    /** Column of the reason a person row cannot be used, on rejected rows. */

    /** Every column, in order. The six attribute columns are named by {@link Attribute#key()}. */
    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField(ID, DataTypes.StringType, false),
            DataTypes.createStructField(FULL_NAME, DataTypes.StringType, false),
            DataTypes.createStructField(FIRST_NAME, DataTypes.StringType, false),
            DataTypes.createStructField(MIDDLE_NAME, DataTypes.StringType, false),
            DataTypes.createStructField(LAST_NAME, DataTypes.StringType, false),
            DataTypes.createStructField(GENDER, DataTypes.StringType, false),
            DataTypes.createStructField(Attribute.BIRTH_DATE.key(), DataTypes.DateType, false),
            DataTypes.createStructField(Attribute.BIRTH_CITY.key(), DataTypes.StringType, false),
            DataTypes.createStructField(Attribute.UNIVERSITY.key(), DataTypes.StringType, false),
            DataTypes.createStructField(Attribute.MAJOR.key(), DataTypes.StringType, false),
            DataTypes.createStructField(Attribute.EMPLOYER.key(), DataTypes.StringType, false),
            DataTypes.createStructField(Attribute.EMPLOYER_CITY.key(), DataTypes.StringType, false),
    });

    private PeopleTable() {
    }

    public static Row toRow(Person p) {
        return RowFactory.create(p.id(), p.fullName(), p.firstName(), p.middleName(), p.lastName(), p.gender().key(),
                Date.valueOf(p.birthDate()), p.birthCity(), p.university(), p.major(), p.employer(), p.employerCity());
    }

    /** A person from a row of {@link #normalise} output that {@link #rejectReason()} found valid. */
    public static Person fromRow(Row r) {
        return new Person(r.getString(0), r.getString(2), r.getString(3), r.getString(4), Gender.fromKey(r.getString(5)),
                r.getDate(6).toLocalDate(), r.getString(7), r.getString(8), r.getString(9), r.getString(10),
                r.getString(11));
    }

    /**
     * The input's columns of {@link #SCHEMA}, in schema order and cast to its types, so people tables written by
     * another tool (a string birth_date, extra columns) are accepted. A value that does not cast becomes null and
     * is then rejected with a reason. Throws IllegalArgumentException naming the columns the input lacks.
     */
    public static Dataset<Row> normalise(Dataset<Row> people) {
        List<String> have = Arrays.asList(people.columns());
        List<String> missing = new ArrayList<>();
        List<Column> select = new ArrayList<>();
        for (StructField f : SCHEMA.fields()) {
            if (!have.contains(f.name())) {
                missing.add(f.name());
            } else {
                select.add(col(f.name()).cast(f.dataType()).as(f.name()));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("people table lacks column(s) " + missing + "; expected " + SCHEMA.simpleString());
        }
        return people.select(select.toArray(new Column[0]));
    }

    /**
     * Why a normalised row cannot be rephrased (missing_&lt;column&gt; for a null or blank value, bad_gender for a
     * gender other than female/male), or null when it can.
     */
    public static Column rejectReason() {
        Column reason = null;
        for (StructField f : SCHEMA.fields()) {
            Column c = col(f.name());
            Column bad = f.dataType() == DataTypes.StringType ? c.isNull().or(trim(c).equalTo("")) : c.isNull();
            reason = reason == null ? when(bad, lit("missing_" + f.name())) : reason.when(bad, lit("missing_" + f.name()));
        }
        return reason.when(col(GENDER).isin(Gender.FEMALE.key(), Gender.MALE.key()).equalTo(false), lit("bad_gender"))
                .otherwise(lit(null).cast(DataTypes.StringType));
    }
}

/**
 * Knowledge augmentation after Physics of Language Models 3.1: a synthetic knowledge source of people with six
 * attributes ({@link ai.refinery.rephrasing.BiosJob}), template rephrasing of its entity records into biographies
 * with the multiM, permute and fullname augmentations ({@link ai.refinery.rephrasing.TemplateRephraser}), and QA
 * conversion into SFT rows with a per-person train/test split ({@link ai.refinery.rephrasing.QaConverter}).
 *
 * <p>The text logic is plain Java ({@link ai.refinery.rephrasing.PersonGenerator},
 * {@link ai.refinery.rephrasing.BiographyWriter}, {@link ai.refinery.rephrasing.QaWriter}); every draw is a hash of
 * (seed, person, purpose), so outputs are identical for any partitioning. Generated rows carry a
 * {@code shuffle_key} and come in global shuffle order ({@link ai.refinery.rephrasing.GlobalOrder}).
 * Value pools and templates are resources under {@code refinery/bios/}.
 */
package ai.refinery.rephrasing;

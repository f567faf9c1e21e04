/*
 * dmap.h: the parts of a Distributed Map that talk to S3: reading the
 * items (itemreader.c) and writing the results (resultwriter.c). dmap.c
 * runs the Map Run between them.
 */
#ifndef ASL_DMAP_H
#define ASL_DMAP_H

#include "internal.h"

/* The items an evaluated ItemReader object names ({Resource, ReaderConfig,
 * Parameters/Arguments}); NULL with e set: S3's error
 * (S3.NoSuchKeyException...) or States.ItemReaderFailed. */
cJSON *asl_items_read(const cJSON *reader, asl_err *e);

/* One child execution's record, as ResultWriter writes it (Transformation
 * NONE) and as its output in a result (the others). */
typedef struct asl_dmap_result {
    char *arn, *name;
    cJSON *input, *output;      /* output NULL unless it succeeded */
    asl_err err;
    const char *status;         /* SUCCEEDED, FAILED, ABORTED ... or NULL: never started (PENDING) */
    double start, stop;
    long items;                 /* the items it was given (a batch's) */
} asl_dmap_result;

/* The ResultWriter's work for a Map Run of n children: with Resource and
 * Bucket, writes manifest.json and the SUCCEEDED_n/FAILED_n/PENDING_n
 * files under Prefix/RUN_ID/ and returns {MapRunArn, ResultWriterDetails};
 * with WriterConfig alone, returns the results as they would be written.
 * writer NULL: the children's outputs (COMPACT). NULL with e set
 * (States.ResultWriterFailed). */
cJSON *asl_results_write(const cJSON *writer, const char *run_arn, const char *machine_arn,
                         const asl_dmap_result *r, int n, asl_err *e);

#endif

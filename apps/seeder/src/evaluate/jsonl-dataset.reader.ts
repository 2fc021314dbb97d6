// The reader moved to @app/generators so that the API can load the same datasets.
export {
  readJsonlDataset,
  validateGroundTruthRecord,
  type JsonlDataset,
  type ReadJsonlOptions,
} from '@app/generators';

export {
  readJsonlDataset,
  validateGroundTruthRecord,
  type JsonlDataset,
  type ReadJsonlOptions,
} from './jsonl-dataset.reader';
export {
  datasetKindOf,
  readDatasetFolder,
  type DatasetFolder,
  type DatasetKind,
  type ReadDatasetFolderOptions,
} from './dataset-folder';

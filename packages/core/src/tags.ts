/** MLflow's reserved tag keys. */
export const systemTags = {
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
  gitRepoUrl: 'mlflow.source.git.repoURL',
  parentRunId: 'mlflow.parentRunId',
  noteContent: 'mlflow.note.content',
  logModelHistory: 'mlflow.log-model.history',
  datasetContext: 'mlflow.data.context',
  artifactLocation: 'mlflow.artifactLocation',
  modelVersions: 'mlflow.modelVersions',
  loggedArtifacts: 'mlflow.loggedArtifacts',
  runSourceType: 'mlflow.runSourceType',
} as const;

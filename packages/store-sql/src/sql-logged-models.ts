import { CairnError, type TrackingStore } from '@cairn/core';

type LoggedModelMethods = Pick<
  TrackingStore,
  | 'createLoggedModel'
  | 'getLoggedModel'
  | 'finalizeLoggedModel'
  | 'deleteLoggedModel'
  | 'searchLoggedModels'
  | 'setLoggedModelTags'
  | 'deleteLoggedModelTag'
  | 'logLoggedModelParams'
>;

const notYet = async (): Promise<never> => {
  throw new CairnError('NOT_IMPLEMENTED', 'The SQL tracking store does not store MLflow 3 logged models yet');
};

/** Placeholder until the SQL store keeps logged models: every operation answers NOT_IMPLEMENTED. */
export const loggedModelMethods: LoggedModelMethods = {
  createLoggedModel: notYet,
  getLoggedModel: notYet,
  finalizeLoggedModel: notYet,
  deleteLoggedModel: notYet,
  searchLoggedModels: notYet,
  setLoggedModelTags: notYet,
  deleteLoggedModelTag: notYet,
  logLoggedModelParams: notYet,
};

/** Lambda entry point (placeholder until its issue fills it). */
export const handler = async (): Promise<never> => {
  throw new Error('not implemented yet');
};

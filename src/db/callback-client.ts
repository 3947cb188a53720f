import pg from 'pg';

/**
 * The pool's client: a query asked for without a callback (as Drizzle asks inside a transaction)
 * is sent with one, and its promise made here. node-postgres' own promise is made by a closure
 * in its `query`, and with it every result outlived two young-generation collections and was
 * promoted to the old generation (a bare loop of one page query on a checked-out client: 2.3 MB
 * promoted per collection that way, none with a callback), which fills the old generation and
 * brings a mark-compact pause every few hundred milliseconds under load (a promise made here, even
 * with the same `.catch`, promoted nothing). Queries that already carry a callback, and
 * submittable ones (a cursor), go through untouched.
 */
export class CallbackClient extends pg.Client {
  // One signature for node-postgres' overloads; the arguments are passed on as they came.
  override query(config: any, values?: any, callback?: any): any {
    if (callback !== undefined || typeof values === 'function' || typeof config?.submit === 'function' || typeof config?.callback === 'function') {
      return super.query(config, values, callback);
    }
    return new Promise((resolve, reject) => {
      super.query(config, values, (err: Error | null, result: unknown) => (err ? reject(err) : resolve(result)));
    }).catch((err: Error) => {
      // As node-postgres does: a stack that leads back to the caller rather than to the socket's read.
      Error.captureStackTrace(err);
      throw err;
    });
  }
}

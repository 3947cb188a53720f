-- Custom SQL migration file, put your code below! --
-- A write done in one statement (no transaction of its own) cannot roll back a part of itself
-- that went wrong after another part was written: it raises this error instead, which undoes
-- the whole statement. `ok` true answers true; false raises SQLSTATE VH001 with `reason`.
CREATE FUNCTION "write_guard"(ok boolean, reason text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'VH001', MESSAGE = reason;
  END IF;
  RETURN true;
END
$$;

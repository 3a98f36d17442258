import { afterAll, afterEach } from "vitest";
import { releaseDatabases } from "./database";

// Every workers test file: a test's fresh databases go when it ends, the file's when the file does.
afterEach(() => releaseDatabases("test"));
afterAll(() => releaseDatabases("file"));

import { afterAll, afterEach, beforeEach } from "vitest";
import { releaseDatabases, testStarted } from "./database";

// Every workers test file: a test's fresh databases go when it ends, the file's when the file does.
beforeEach(() => testStarted());
afterEach(() => releaseDatabases("test"));
afterAll(() => releaseDatabases("file"));

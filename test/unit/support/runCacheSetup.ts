import { createRunCache } from "./planCache";
export default createRunCache;

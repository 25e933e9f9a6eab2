import { removeRunCache } from "./planCache";
export default removeRunCache;

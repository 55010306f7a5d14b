// The ceiling: the whole main entry, kept whole by using the namespace object.
import * as proj from '@proj/tensor';

console.log(Object.keys(proj).length);
